// greylist_command.cpp - `postseal greylist show|allow|forget CLIENT SENDER RECIPIENT` and
// `postseal greylist stats`: look at and change the greylisting state in the store the
// config file names ([state], [greylist]; -c or /etc/postseal/postseal.toml when present),
// the same store the daemons use (verifier/greylist/admin.hpp). Exit status: 0, 1 when
// forget found nothing, 64 for bad arguments, 75 when the store does not answer, 78 for a
// bad config. Untrusted input: the arguments (checked) and the store's values (printable()).
#include "cli/commands.hpp"

#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "verifier/greylist/admin.hpp"
#include "verifier/greylist/options.hpp"
#include "verifier/greylist/service.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <memory>

namespace postseal::cli {
namespace {

struct GreylistArgs {
  std::string config_path;
  std::string action;
  std::vector<std::string> triplet;  // CLIENT SENDER RECIPIENT
};

// store_failed - the exit for a store that did not answer.
int store_failed(const state::Store& store, state::StoreError e) {
  std::fprintf(stderr, "postseal greylist: state store %s: %s\n", store.name().c_str(),
               std::string(state::to_string(e)).c_str());
  return kExitTempFail;
}

int run_greylist(const GreylistArgs& args) {
  auto file = config::File::load_or_default(args.config_path);
  auto settings = greylist::settings_from_config(file, false);  // whitelists are not needed
  SystemClock clock;
  auto store = greylist::open_store(file, clock);
  const auto now = clock.now();
  if (args.action == "stats") {
    if (!args.triplet.empty()) throw usage_error("greylist stats takes no arguments");
    auto text = greylist::stats(*store, settings.options, now);
    if (!text) return store_failed(*store, text.error());
    std::fputs(text->c_str(), stdout);
    return 0;
  }
  if (args.triplet.size() != 3)
    throw usage_error(fmt::format("greylist {} takes CLIENT SENDER RECIPIENT (SENDER \"\" for the null sender)",
                                  args.action));
  auto key = greylist::admin_triplet_key(args.triplet[0], args.triplet[1], args.triplet[2], settings.options.key);
  if (!key) throw usage_error(key.error());
  if (args.action == "show") {
    auto text = greylist::show(*store, *key, settings.options, now);
    if (!text) return store_failed(*store, text.error());
    std::printf("%s\n", text->c_str());
    return 0;
  }
  if (args.action == "allow") {
    if (auto done = greylist::allow(*store, *key, settings.options, now); !done) return store_failed(*store, done.error());
    std::printf("%s: allowed (passes without delay for %lld s after its last use)\n", key->c_str(),
                static_cast<long long>(settings.options.max_age));
    return 0;
  }
  auto gone = greylist::forget(*store, *key);
  if (!gone) return store_failed(*store, gone.error());
  std::printf("%s: %s\n", key->c_str(), *gone ? "forgotten" : "not recorded");
  return *gone ? 0 : 1;
}

}  // namespace

void add_greylist_command(CLI::App& app, Runner& run) {
  auto args = std::make_shared<GreylistArgs>();
  auto* sub = app.add_subcommand(
      "greylist",
      "Greylisting state in the configured store: show|allow|forget CLIENT SENDER RECIPIENT "
      "(CLIENT an IP address, keyed by its network, or spf:DOMAIN), or stats");
  sub->add_option("action", args->action, "show, allow, forget or stats")
      ->required()
      ->check(CLI::IsMember({"show", "allow", "forget", "stats"}));
  sub->add_option("triplet", args->triplet, "CLIENT SENDER RECIPIENT");
  sub->add_option("-c,--config", args->config_path,
                  "config file for [greylist] and [state] (default /etc/postseal/postseal.toml if present)");
  sub->callback([&run, args] { run = [args] { return run_greylist(*args); }; });
}

}  // namespace postseal::cli
