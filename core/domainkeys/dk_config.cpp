// dk_config.cpp - DomainKeys config keys and per-domain options (see dk_config.hpp).
#include "core/domainkeys/dk_config.hpp"

#include "core/util/errors.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace postseal::domainkeys {

namespace {

const config::Key kKeys[] = {
    {"signer.domain[].domainkeys", config::Type::boolean, "false", 0, 0,
     "also sign this domain's mail with a DomainKeys (RFC 4870, rsa-sha1) signature, with the "
     "domain's RSA key, for legacy receivers"},
    {"signer.domain[].domainkeys_canon", config::Type::string, "\"nofws\"", 0, 0,
     "DomainKeys canonicalization: \"nofws\" or \"simple\""},
    {"signer.domain[].domainkeys_headers", config::Type::boolean, "true", 0, 0,
     "list the signed header fields in h= (fields added below the signature later then do not "
     "break it)"},
};

}  // namespace

std::span<const config::Key> config_keys() { return kKeys; }

std::optional<DkSignOptions> sign_options_from_table(const toml::table& t) {
  if (!config::table_boolean(t, "domainkeys", "signer.domain[].domainkeys")) return std::nullopt;
  DkSignOptions options;
  std::string canon = config::table_string(t, "domainkeys_canon", "signer.domain[].domainkeys_canon");
  auto parsed = parse_canon(canon);
  if (!parsed) {
    throw config_error(fmt::format(
        "signer.domain[].domainkeys_canon = \"{}\": must be \"nofws\" or \"simple\"",
        printable(canon, 40)));
  }
  options.canon = *parsed;
  options.list_headers =
      config::table_boolean(t, "domainkeys_headers", "signer.domain[].domainkeys_headers");
  return options;
}

}  // namespace postseal::domainkeys
