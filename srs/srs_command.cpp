// srs_command.cpp - `postseal srs forward|reverse ADDRESS`: one SRS rewrite, for admins and
// tests. Prints the address, or the error class and reason with exit 1. Untrusted input: the
// address and options (checked by srs/command_options.cpp and the codec).
#include "srs/commands.hpp"

#include "core/util/errors.hpp"
#include "srs/command_options.hpp"
#include "srs/secrets.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

namespace postseal::srs {
namespace {

// Clock that reads --now when given.
std::unique_ptr<Clock> make_clock(const Options& o) {
  if (o.now) return std::make_unique<FixedClock>(*o.now);
  return std::make_unique<SystemClock>();
}

int run_one(const Options& o, bool forward) {
  const config::File f = load_config(o);
  const SrsOptions opts = srs_options(o, f);
  const std::string domain = srs_domain(o, f);
  if (forward && domain.empty()) throw usage_error("srs forward needs --domain");
  const auto secrets = load_secrets(pick(o.secrets_file, f, "srs.secrets_file"));
  const auto clock = make_clock(o);
  const SrsCodec codec(opts, secrets, *clock);
  const SrsResult r = forward ? codec.forward(o.address, domain) : codec.reverse(o.address);
  if (!r) {
    std::fprintf(stderr, "%s: %s\n", std::string(error_name(r.error().error)).c_str(),
                 r.error().reason.c_str());
    return 1;
  }
  std::printf("%s\n", r->c_str());
  return 0;
}

void add_one_shot(CLI::App& srs, Runner& run, const std::shared_ptr<Options>& o, bool forward) {
  auto* sub = srs.add_subcommand(forward ? "forward" : "reverse",
                                 forward ? "Rewrite a sender into an SRS address of --domain"
                                         : "Undo an SRS address after checking its hash and age");
  sub->add_option("address", o->address, "the address")->required();
  add_scheme_options(sub, *o);
  sub->add_option("--now", o->now, "UNIX time to use as now (replays vectors)");
  sub->callback([&run, o, forward] { run = [o, forward] { return run_one(*o, forward); }; });
}

}  // namespace

void add_srs_command(CLI::App& app, Runner& run) {
  auto one = std::make_shared<Options>();
  auto* srs = app.add_subcommand(
      "srs", "One SRS rewrite: prints the address, or the error class and reason (exit 1)");
  srs->require_subcommand(1);
  add_one_shot(*srs, run, one, true);
  add_one_shot(*srs, run, one, false);
}

}  // namespace postseal::srs
