// settings.hpp - the [keys] config keys of key rotation (docs/key-rotation.md).
//
// keys.rotation (the signer takes active keys from the [state] store), keys.directory (where
// rotate writes keys), keys.selector_template, keys.publish_lead, keys.retire_after and
// keys.max_age (seconds; tick makes an active key's successor by age), keys.dns_hook (a program run
// with the record to publish or revoke) and keys.reload_command (argv run when the active keys
// changed, e.g. systemctl reload). Untrusted input: the config file (local admin): a bad value is a
// StartupError (exit 78) naming the key. Limits: publish_lead and retire_after
// 0..kMaxRotationSeconds; max_age 0 or publish_lead + kMinMaxAgeMargin..kMaxKeyAgeSeconds.
#pragma once

#include "keys/rotation/transitions.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace postseal::config {
struct Key;
class File;
}  // namespace postseal::config

namespace postseal::rotation {

// kMaxRotationSeconds - the longest publish_lead or retire_after (one year).
inline constexpr std::int64_t kMaxRotationSeconds = 366LL * 86400;
// kMaxKeyAgeSeconds - the longest keys.max_age (five years).
inline constexpr std::int64_t kMaxKeyAgeSeconds = 5 * 366LL * 86400;
// kMinMaxAgeMargin - keys.max_age is at least publish_lead plus this (one day: one tick), so
// a successor is made before the key reaches its age.
inline constexpr std::int64_t kMinMaxAgeMargin = 86400;

struct Settings {
  bool signer_uses_rotation = false;
  std::string directory = "/etc/postseal/keys";
  std::string selector_template;
  Timing timing;
  std::string dns_hook;                     // absolute path, or "" for none
  std::vector<std::string> reload_command;  // argv, or empty for none
};

// settings_from_config - the [keys] keys of `file`; throws StartupError (kExitConfig).
Settings settings_from_config(const config::File& file);
// check_settings - the same as problem lines, for check-config.
std::vector<std::string> check_settings(const config::File& file);
// config_keys - the [keys] declarations (listed in cli/config_keys.cpp).
std::span<const config::Key> config_keys();

}  // namespace postseal::rotation
