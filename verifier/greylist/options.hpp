// options.hpp - the [greylist] config keys and the greylister settings they give.
//
// Keys (defaults are postgrey 1.37's): greylist.enable, delay, retry_window, max_age,
// auto_whitelist_clients, ipv4_prefix, ipv6_prefix, key_by_spf_domain, whitelist_clients,
// whitelist_recipients (postgrey's files; a missing file is an error when the key is set in
// the config file, except a *.local file, which postgrey also treats as optional), skip_networks,
// skip_spf_pass, skip_authenticated, defer_text, add_header. Untrusted input: the config file
// and the whitelist files it names (local admin): a bad value is a start-up error (exit 78)
// naming the key, or the whitelist's FILE:LINE.
#pragma once

#include "verifier/greylist/greylister.hpp"

#include <optional>
#include <span>
#include <string>

namespace postseal::config {
struct Key;
class File;
}  // namespace postseal::config

namespace postseal::greylist {

// kDefaultDeferText - the reply text after "4.7.1"; %s is the seconds left.
inline constexpr std::string_view kDefaultDeferText = "Greylisted, try again in %s seconds";
// kMaxDeferTextOctets - a longer defer_text is refused.
inline constexpr std::size_t kMaxDeferTextOctets = 200;

// Settings - everything [greylist] says.
struct Settings {
  bool enable = false;
  Options options;
  std::string defer_text{kDefaultDeferText};
  bool add_header = true;
};

// settings_from_config - the [greylist] keys; `enable` (the --greylist flag) overrides
// greylist.enable. Whitelist files are read only when greylisting is enabled. Throws
// StartupError (exit 78).
Settings settings_from_config(const config::File& file, std::optional<bool> enable = std::nullopt);

// check_defer_text - one printable line of at most kMaxDeferTextOctets with at most one %s and
// no other '%' directive; else why not.
std::expected<void, std::string> check_defer_text(std::string_view text);

// config_keys - the [greylist] declarations (listed in cli/config_keys.cpp).
std::span<const config::Key> config_keys();

}  // namespace postseal::greylist
