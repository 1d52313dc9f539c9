// settings.cpp - [keys] -> Settings (see settings.hpp).
#include "keys/rotation/settings.hpp"

#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/text.hpp"
#include "keys/rotation/selector_template.hpp"

#include <fmt/format.h>

namespace postseal::rotation {
namespace {

constexpr config::Key kKeys[] = {
    {"keys.rotation", config::Type::boolean, "false", 0, 0,
     "the signer signs each domain with the keys `postseal keys tick` made active (per algorithm, "
     "from the [state] store, read at start and on SIGHUP) instead of signer.domain[].keys"},
    {"keys.directory", config::Type::string, "\"/etc/postseal/keys\"", 0, 0,
     "where `postseal keys rotate` writes SELECTOR.private and SELECTOR.txt"},
    {"keys.selector_template", config::Type::string, "\"{alg}{yyyymm}\"", 0, 0,
     "selector of a new key: {alg} (rsa, ed25519), {yyyy} {mm} {dd} {yyyymm} {yyyymmdd} (UTC), "
     "{n} (first unused number)"},
    {"keys.publish_lead", config::Type::integer, "172800", 0, kMaxRotationSeconds,
     "seconds a new key's record must have been seen in DNS before the signer switches to it"},
    {"keys.retire_after", config::Type::integer, "604800", 0, kMaxRotationSeconds,
     "seconds an old key's record stays published after the switch before it is revoked"},
    {"keys.max_age", config::Type::integer, "15552000", 0, kMaxKeyAgeSeconds,
     "seconds after its creation an active key is replaced: tick makes its successor at max_age - "
     "publish_lead (180 days, M3AAWG's six months); 0: only `postseal keys rotate` replaces keys"},
    {"keys.dns_hook", config::Type::string, "\"\"", 0, 0,
     "program run by tick as HOOK publish|revoke NAME VALUE (also in POSTSEAL_DNS_ACTION, "
     "POSTSEAL_DNS_NAME, POSTSEAL_DNS_VALUE); \"\": the administrator edits the zone"},
    {"keys.reload_command", config::Type::strings, "[]", 0, 0,
     "command (argv) tick runs when a key became active, e.g. [\"systemctl\", \"reload\", "
     "\"postseal-signer.service\"]; []: none"},
};

void require(bool ok, const config::File& file, std::string_view key, const std::string& want) {
  if (!ok) throw config_error(fmt::format("{}: {}: {}", file.where(key), key, want));
}

}  // namespace

Settings settings_from_config(const config::File& file) {
  config::declare(kKeys);
  Settings s;
  s.signer_uses_rotation = file.boolean("keys.rotation");
  s.directory = file.string("keys.directory");
  require(s.directory.starts_with('/') && !has_control(s.directory), file, "keys.directory", "want an absolute path");
  s.selector_template = file.string("keys.selector_template");
  auto problem = check_template(s.selector_template);
  require(!problem, file, "keys.selector_template", problem.value_or(""));
  s.timing.publish_lead = file.integer("keys.publish_lead");
  s.timing.retire_after = file.integer("keys.retire_after");
  s.timing.max_age = file.integer("keys.max_age");
  const std::int64_t least = s.timing.publish_lead + kMinMaxAgeMargin;
  require(s.timing.max_age == 0 || s.timing.max_age >= least, file, "keys.max_age",
          fmt::format("want 0 (no age limit) or at least keys.publish_lead + 1 day ({} seconds)",
                      least));
  s.dns_hook = file.string("keys.dns_hook");
  require(s.dns_hook.empty() || (s.dns_hook.starts_with('/') && !has_control(s.dns_hook)), file, "keys.dns_hook",
          "want an absolute path to a program, or \"\"");
  s.reload_command = file.strings("keys.reload_command");
  for (const auto& arg : s.reload_command)
    require(!has_control(arg), file, "keys.reload_command", "no control characters");
  require(s.reload_command.empty() || !s.reload_command[0].empty(), file, "keys.reload_command",
          "the first item names the program");
  return s;
}

std::vector<std::string> check_settings(const config::File& file) {
  try {
    settings_from_config(file);
  } catch (const StartupError& e) {
    return {e.what()};
  }
  return {};
}

std::span<const config::Key> config_keys() { return kKeys; }

}  // namespace postseal::rotation
