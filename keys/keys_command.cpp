// keys_command.cpp - `postseal keys rotate|status|tick`: DKIM key rotation
// (docs/key-rotation.md; the state machine is keys/rotation/transitions.hpp).
//
// rotate makes a domain's next keys and prints the TXT records to publish; status prints every
// rotated key with its state and what happens next, then each [[signer.sender]] key as not
// rotated (keys/unrotated_keys.hpp); tick (daily, postseal-keys-tick.timer) makes, as rotate
// does, the successor of each active key that reached keys.max_age - keys.publish_lead
// (keys/rotation/max_age.hpp), checks DNS through the [dns] resolver, advances the states in
// the [state] store, runs
// keys.dns_hook and, when a key became active, keys.reload_command so the signer rereads them.
// Untrusted input: --domain (dkim::check_domain), DNS answers (keys/dns_sighting.hpp), stored
// records (keys/rotation/record.hpp). Exit codes: 0 done, 64 usage, 73 rotate could not make
// or record the keys (the message says which), 75 status/tick: the store, a hook or the reload
// failed (tick: the states it could advance are saved), 78 config.
#include "keys/commands.hpp"

#include "core/dkim/key_names.hpp"
#include "core/dns/resolver_factory.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/text.hpp"
#include "keys/at_time.hpp"
#include "keys/dns_sighting.hpp"
#include "keys/rotate_keys.hpp"
#include "keys/rotation/dns_hook.hpp"
#include "keys/rotation/max_age.hpp"
#include "keys/rotation/next_action.hpp"
#include "keys/rotation/open_store.hpp"
#include "keys/rotation/record_store.hpp"
#include "keys/rotation/run_command.hpp"
#include "keys/rotation/settings.hpp"
#include "keys/rotation/tick.hpp"
#include "keys/unrotated_keys.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <memory>

namespace postseal::keys {
namespace {

struct KeysArgs {
  std::string config_path;
  std::string domain;
  std::string at;  // --at: act at this time instead of now (keys/at_time.hpp)
  dns::ResolverOptions dns;
};

// FixedClock for --at, else the wall clock.
std::unique_ptr<Clock> clock_at(const std::string& at) {
  if (at.empty()) return std::make_unique<SystemClock>();
  auto t = parse_at(at, SystemClock().now());
  if (!t) throw usage_error(fmt::format("--at {}: {}", at, t.error()));
  return std::make_unique<FixedClock>(*t);
}

// Context - what every keys subcommand opens: the config, [keys] and the [state] store. The
// store keeps the wall clock (its expiry); the commands' "now" is `clock` (--at).
struct Context {
  config::File file;
  rotation::Settings settings;
  std::unique_ptr<Clock> clock_owner;
  const Clock& clock;
  SystemClock wall;
  std::unique_ptr<state::Store> store;

  Context(const std::string& config_path, const std::string& at)
      : file(config::File::load_or_default(config_path)), settings(rotation::settings_from_config(file)),
        clock_owner(clock_at(at)), clock(*clock_owner), store(rotation::open_rotation_store(file, wall)) {}
};

// require_rotation - rotate and tick only when the signer follows them: with keys.rotation
// off it would keep signing with a key tick retires and revokes.
void require_rotation(const Context& c) {
  if (!c.settings.signer_uses_rotation)
    throw config_error(fmt::format("{}: keys.rotation is false: the signer would keep its configured keys while "
                                   "their records are revoked; set keys.rotation = true",
                                   c.file.where("keys.rotation")));
}

int run_rotate(const KeysArgs& a) {
  if (auto e = dkim::check_domain(a.domain)) throw usage_error("--domain: " + *e);
  Context c(a.config_path, a.at);
  require_rotation(c);
  auto rotated = rotate_domain(c.file, c.settings, *c.store, to_lower(a.domain), c.clock.now());
  if (!rotated) throw StartupError(kExitCantCreate, rotated.error());
  for (const auto& r : rotated->adopted)
    std::fprintf(stderr, "postseal: %s (%s) is recorded as the active key\n", r.s.c_str(), r.file.c_str());
  for (const auto& m : rotated->made) {
    std::fputs(zone_line(m.record).c_str(), stdout);
    std::fprintf(stderr, "postseal: wrote %s; publish the record above, then `postseal keys tick` moves it on\n",
                 m.private_file.c_str());
  }
  return kExitOk;
}

int run_status(const KeysArgs& a) {
  Context c(a.config_path, a.at);
  rotation::RecordStore records(*c.store);
  auto loaded = a.domain.empty() ? records.all() : records.domain(to_lower(a.domain));
  if (!loaded) throw StartupError(kExitTempFail, loaded.error());
  for (const auto& p : loaded->problems) std::fprintf(stderr, "postseal: warning: %s\n", p.c_str());
  if (loaded->records.empty()) std::printf("no rotated keys; start with `postseal keys rotate --domain DOMAIN`\n");
  const auto now = c.clock.now();
  for (const auto& r : loaded->records)
    std::printf("%s %s %s %s %s: %s\n", r.d.c_str(), r.s.c_str(),
                std::string(crypto::to_string(r.a)).c_str(),
                rotation::format_age(now - r.created).c_str(),
                std::string(to_string(r.state)).c_str(),
                rotation::next_action(r, c.settings.timing, !c.settings.dns_hook.empty(),
                                      rotation::has_successor(loaded->records, r))
                    .c_str());
  for (const auto& k : unrotated_keys(c.file, to_lower(a.domain))) std::printf("%s\n", status_line(k).c_str());
  return kExitOk;
}

// successor_maker - tick's MakeSuccessor: rotate_domain for one algorithm of a domain that
// signer.domain[] still names (a domain no longer signed keeps its records and gets no key).
rotation::MakeSuccessor successor_maker(const Context& c) {
  return [&c](const std::string& domain,
              crypto::KeyType a) -> std::expected<std::vector<rotation::Record>, std::string> {
    if (!signs_domain(c.file, domain)) return std::vector<rotation::Record>{};
    auto rotated = rotate_domain(c.file, c.settings, *c.store, domain, c.clock.now(), a);
    if (!rotated) return std::unexpected(rotated.error());
    return rotated->recorded;
  };
}

// print_age_rotation - "rotate: D: rsa key S is N days old (keys.max_age M days): made S2, ..."
void print_age_rotation(const Context& c, const rotation::AgeRotation& r) {
  for (const auto& m : r.made) {
    const std::string publish =
        c.settings.dns_hook.empty()
            ? fmt::format("publish {} TXT \"{}\" (`postseal keys status` shows it)",
                          rotation::record_name(m), m.txt)
            : fmt::format("keys.dns_hook publishes {}", rotation::record_name(m));
    std::printf("rotate: %s: %s key %s is %s old (keys.max_age %s): made %s (%s); %s\n",
                r.old.d.c_str(), std::string(crypto::to_string(r.old.a)).c_str(), r.old.s.c_str(),
                rotation::format_days(c.clock.now() - r.old.created).c_str(),
                rotation::format_days(c.settings.timing.max_age).c_str(), m.s.c_str(),
                m.file.c_str(), publish.c_str());
  }
}

// after_tick - the hook calls and the reload a tick asks for; false when one failed.
bool after_tick(const rotation::Settings& s, const rotation::TickResult& result) {
  bool ok = true;
  if (!s.dns_hook.empty())
    for (const auto& call : rotation::hook_calls(result.events))
      if (auto run = rotation::run_dns_hook(s.dns_hook, call); !run) {
        std::fprintf(stderr, "postseal: keys.dns_hook %s %s: %s\n", call.action.c_str(), call.name.c_str(), run.error().c_str());
        ok = false;
      }
  if (result.signing_changed && !s.reload_command.empty())
    if (auto run = rotation::run_command(s.reload_command, {}); !run) {
      std::fprintf(stderr, "postseal: keys.reload_command: %s\n", run.error().c_str());
      ok = false;
    }
  return ok;
}

int run_tick(const KeysArgs& a) {
  Context c(a.config_path, a.at);
  require_rotation(c);
  dns::ResolverOptions options = a.dns;
  dns::apply_config(c.file, options);
  asio::io_context io;
  auto resolver = dns::make_resolver(io, options);
  rotation::RecordStore records(*c.store);
  auto result = rotation::tick(records, c.clock.now(), c.settings.timing, dns_lookup(io, *resolver),
                               successor_maker(c));
  if (!result) throw StartupError(kExitTempFail, result.error());
  for (const auto& r : result->rotated) print_age_rotation(c, r);
  for (const auto& e : result->events)
    std::printf("%s: %s%s%s\n", rotation::record_name(e.record).c_str(), std::string(to_string(e.change)).c_str(),
                e.detail.empty() ? "" : ": ", printable(e.detail).c_str());
  for (const auto& p : result->problems) std::fprintf(stderr, "postseal: %s\n", p.c_str());
  const bool ok = after_tick(c.settings, *result) && result->problems.empty();
  return ok ? kExitOk : kExitTempFail;
}

constexpr const char* kKeysHelp =
    "DKIM key rotation (docs/key-rotation.md). A key goes pending (made, not yet in DNS) ->\n"
    "published (its TXT record seen, matching the key) -> active (keys.publish_lead later: the\n"
    "signer signs with it, with keys.rotation = true) -> retiring (replaced; its record must\n"
    "stay) -> revoked (keys.retire_after later: publish an empty p=, or keys.dns_hook does).\n"
    "tick also makes the successor of an active key keys.max_age - keys.publish_lead after it was\n"
    "made (default 180 days; 0: only rotate replaces keys).\n"
    "States live in the [state] store, so hosts sharing it switch together.\n"
    "Example: postseal keys rotate --domain example.com; then daily: postseal keys tick";

}  // namespace

void add_keys_command(CLI::App& app, Runner& run) {
  auto* keys = app.add_subcommand("keys", "DKIM key rotation: rotate, status, tick");
  keys->footer(kKeysHelp);
  keys->require_subcommand(1);
  auto a = std::make_shared<KeysArgs>();
  auto config_option = [a](CLI::App* sub) {
    sub->add_option("-c,--config", a->config_path,
                    "postseal.toml with [keys], [state], [dns] and signer.domain[] (default "
                    "/etc/postseal/postseal.toml if present)");
    sub->add_option("--at", a->at,
                    "act as at this time instead of now: +N with s, m, h or d (after now), YYYY-MM-DD or "
                    "YYYY-MM-DDTHH:MM:SSZ (UTC); to rehearse a schedule (status), or to test one");
  };
  auto* rotate = keys->add_subcommand("rotate", "Make a domain's next keys (one per algorithm it signs with) under "
                                                "new selectors, print the TXT records to publish, record them pending");
  rotate->add_option("--domain", a->domain, "signing domain (a signer.domain[] name)")->required();
  config_option(rotate);
  rotate->callback([&run, a] { run = [a] { return run_rotate(*a); }; });
  auto* status = keys->add_subcommand("status", "Print every rotated key: domain, selector, algorithm, age, state, next action");
  status->add_option("--domain", a->domain, "only this domain");
  config_option(status);
  status->callback([&run, a] { run = [a] { return run_status(*a); }; });
  auto* tick = keys->add_subcommand(
      "tick",
      "Make successors of keys near keys.max_age, check DNS, advance the states, "
      "run keys.dns_hook and keys.reload_command (daily, from postseal-keys-tick.timer)");
  config_option(tick);
  dns::add_resolver_options(tick, a->dns);
  tick->callback([&run, a] { run = [a] { return run_tick(*a); }; });
}

}  // namespace postseal::keys
