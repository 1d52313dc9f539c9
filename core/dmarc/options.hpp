// options.hpp - the [dmarc] config keys and the local policy they give (evaluate.hpp Options).
//
// Keys: dmarc.enable (the milter and the proxy evaluate DMARC and act on it),
// dmarc.discovery ("treewalk", RFC 9989 4.10, or "psl", RFC 7489 with Debian's
// publicsuffix list), dmarc.public_suffix_list (the list file of the psl mode), dmarc.enforce
// ("policy" | "quarantine-only" | "monitor"), dmarc.temperror_defer (4xx on temperror),
// dmarc.trusted_forwarders (CIDR list whose failures are not acted on). Untrusted input: the
// config file (local admin): a bad value is a start-up error (exit 78) naming the key.
// Limits: net::kMaxAddressListEntries forwarders.
#pragma once

#include "core/dmarc/discovery.hpp"
#include "core/dmarc/evaluate.hpp"

#include <span>
#include <string>

namespace postseal::config {
struct Key;
class File;
}  // namespace postseal::config

namespace postseal::dmarc {

// Settings - everything [dmarc] says.
struct Settings {
  bool enable = false;
  Mode discovery = Mode::treewalk;
  std::string public_suffix_list{kDebianPublicSuffixList};
  Options options;
};

// settings_from_config - the [dmarc] keys of `file`; throws StartupError (kExitConfig).
Settings settings_from_config(const config::File& file);

// parse_mode / parse_enforce - a key's value, else a config error naming `where`.
Mode parse_mode(std::string_view value, std::string_view where);
Enforce parse_enforce(std::string_view value, std::string_view where);

// load_public_suffix_list - the list of the psl mode; throws StartupError (kExitConfig).
PublicSuffixList load_public_suffix_list(std::string_view path);

// config_keys - the [dmarc] declarations (listed in cli/config_keys.cpp).
std::span<const config::Key> config_keys();

}  // namespace postseal::dmarc
