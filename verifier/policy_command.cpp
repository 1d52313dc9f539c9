// policy_command.cpp - `postseal policy`: one Postfix policy session on stdin/stdout, for
// master.cf `spawn` (verifier/policy/). Options and config as `postseal verifier`
// (verifier/inbound_options.hpp).
#include "verifier/commands.hpp"

#include "core/net/daemon.hpp"
#include "verifier/inbound_options.hpp"
#include "verifier/policy/server.hpp"

#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>

#include <memory>

namespace postseal::verifier {
namespace {

int run_policy(Settings& s) {
  net::start_logging("postseal/policy", s.log);
  auto file = load_config(s);
  asio::io_context io;
  Service svc(io);
  build_service(svc, s, file);
  const auto rules = svc.inbound->rules.get();
  if (rules->greylisting) greylist::start(*rules->greylisting, svc.clock);  // spawned as its user
  policy::serve_stdio(svc.io, 0, 1, *rules->decider, rules->greylisting.get());
  return 0;
}

}  // namespace

void add_policy_command(CLI::App& app, Runner& run) {
  auto settings = std::make_shared<Settings>();
  auto* policy = app.add_subcommand(
      "policy", "Postfix policy service on stdin/stdout for master.cf spawn: policy unix - n n - 0 spawn "
                "user=nobody argv=/usr/bin/postseal policy");
  add_policy_options(policy, *settings);
  policy->callback([&run, settings] { run = [settings] { return run_policy(*settings); }; });
}

}  // namespace postseal::verifier
