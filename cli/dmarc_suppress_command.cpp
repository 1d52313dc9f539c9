// dmarc_suppress_command.cpp - `postseal dmarc suppress ADDRESS`: no aggregate reports to an
// rua address for a while, because its reports bounce (core/dmarc_report/suppression.hpp).
//
// --days N (default 30, 1..365) from now; --remove ends it now. The suppression lives in the
// state store of [state] (shared by hosts that share a Redis) and `postseal dmarc report`
// skips the address, saying so, until it expires. Exit: 0; 64 for an address that no report
// would be sent to anyway (not a usable mailto: address, core/dmarc_report/destination.hpp)
// or a --days out of range; 75 when the store failed; 78 for config errors. Untrusted input:
// the command line only.
#include "cli/commands.hpp"

#include "core/dmarc_report/destination.hpp"
#include "core/dmarc_report/suppression.hpp"
#include "core/state/options.hpp"
#include "core/state/store_factory.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

namespace postseal::cli {
namespace {

struct SuppressArgs {
  std::string address;
  std::int64_t days = dmarc_report::kDefaultSuppressDays;
  bool remove = false;
  std::string config_path;
};

int run_suppress(const SuppressArgs& args) {
  auto to = dmarc_report::mailto_address("mailto:" + args.address);
  if (!to || args.address.find('!') != std::string::npos)
    throw usage_error(fmt::format("'{}': not an address reports are sent to",
                                  printable(args.address, 80)));
  if (args.days < 1 || args.days > dmarc_report::kMaxSuppressDays)
    throw usage_error(
        fmt::format("--days {}: want 1 to {}", args.days, dmarc_report::kMaxSuppressDays));
  const SystemClock clock;
  config::File file = config::File::load_or_default(args.config_path);
  auto store = state::open_store(state::settings_from_config(file), clock);
  if (args.remove) {
    auto lifted = dmarc_report::lift(*store, to->address);
    if (!lifted) {
      std::printf("error: state store %s: %s\n", store->name().c_str(),
                  std::string(state::to_string(lifted.error())).c_str());
      return kExitTempFail;
    }
    std::printf("%s: %s\n", to->address.c_str(),
                *lifted ? "reports are sent again" : "was not suppressed");
    return kExitOk;
  }
  if (auto done = dmarc_report::suppress(*store, to->address, args.days); !done) {
    std::printf("error: state store %s: %s\n", store->name().c_str(),
                std::string(state::to_string(done.error())).c_str());
    return kExitTempFail;
  }
  std::printf("%s: no aggregate reports for %lld days (postseal dmarc suppress --remove %s ends "
              "it)\n",
              to->address.c_str(), static_cast<long long>(args.days), to->address.c_str());
  return kExitOk;
}

}  // namespace

void add_dmarc_suppress_command(CLI::App& dmarc, Runner& run) {
  auto args = std::make_shared<SuppressArgs>();
  auto* sub = dmarc.add_subcommand(
      "suppress",
      "Send no aggregate reports to an rua address for a while, e.g. because its reports "
      "bounce (kept in the state store; `postseal dmarc report` skips the address and says so)");
  sub->add_option("address", args->address, "the rua address, e.g. dmarc@example.com")
      ->required();
  sub->add_option("--days", args->days,
                  fmt::format("how long, from now (1 to {})", dmarc_report::kMaxSuppressDays))
      ->capture_default_str();
  sub->add_flag("--remove", args->remove, "end the suppression now");
  sub->add_option("-c,--config", args->config_path,
                  "config file for [state] (default /etc/postseal/postseal.toml if present)");
  sub->callback([&run, args] { run = [args] { return run_suppress(*args); }; });
}

}  // namespace postseal::cli
