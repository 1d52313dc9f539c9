// config_keys.cpp - the one list of key groups (see config_keys.hpp).
#include "cli/config_keys.hpp"

#include "core/dns/resolver_factory.hpp"
#include "signer/commands.hpp"
#include "core/dkim/message_verifier.hpp"
#include "core/dmarc/options.hpp"
#include "core/metrics/options.hpp"
#include "core/domainkeys/dk_config.hpp"
#include "core/state/options.hpp"
#include "keys/rotation/settings.hpp"
#include "srs/commands.hpp"
#include "verifier/commands.hpp"
#include "verifier/greylist/options.hpp"
#include "verifier/milter/milter.hpp"

namespace postseal::cli {

std::vector<KeyGroup> config_key_groups() {
  return {
      {"signer", signer::config_keys()},
      {"srs", srs::config_keys()},
      {"verifier", verifier::config_keys()},
      {"dns", dns::dns_config_keys()},
      {"dkim", dkim::verify_config_keys()},
      {"domainkeys", domainkeys::config_keys()},
      {"milter", milter::config_keys()},
      {"dmarc", dmarc::config_keys()},
      {"greylist", greylist::config_keys()},
      {"state", state::config_keys()},
      {"keys", rotation::config_keys()},
      {"metrics", metrics::config_keys()},
  };
}

void declare_all_config_keys() {
  for (const auto& group : config_key_groups()) config::declare(group.keys);
}

}  // namespace postseal::cli
