// main.cpp - the postseal executable: one program, git-style subcommands.
//
// Each folder adds its own subcommands (keys/, signer/, srs/, verifier/); this file only
// parses the command line, declares every folder's config keys, runs the chosen command and
// turns start-up errors into a message on stderr and a sysexits code.
#include "core/dns/dns_command.hpp"
#include "core/dns/resolver_factory.hpp"
#include "core/dkim/message_verifier.hpp"
#include "core/domainkeys/dk_config.hpp"
#include "verifier/milter/milter.hpp"
#include "core/util/command.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "keys/commands.hpp"
#include "signer/commands.hpp"
#include "srs/commands.hpp"
#include "verifier/commands.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>

namespace {

constexpr const char* kDefaultConfig = "/etc/postseal/postseal.toml";

void declare_all_keys() {
  postseal::config::declare(postseal::keys::config_keys());
  postseal::config::declare(postseal::signer::config_keys());
  postseal::config::declare(postseal::srs::config_keys());
  postseal::config::declare(postseal::verifier::config_keys());
  postseal::config::declare(postseal::dns::dns_config_keys());
  postseal::config::declare(postseal::dkim::verify_config_keys());
  postseal::config::declare(postseal::domainkeys::config_keys());
  postseal::config::declare(postseal::milter::config_keys());
}

// add_check_config - `postseal check-config`: validate a config file like `postfix check`.
void add_check_config(CLI::App& app, postseal::Runner& run) {
  auto* sub = app.add_subcommand("check-config", "Check a postseal.toml for unknown keys, bad types and out-of-range values");
  auto path = std::make_shared<std::string>(kDefaultConfig);
  sub->add_option("-c,--config", *path, "config file to check")->capture_default_str();
  sub->callback([&run, path] {
    run = [path] {
      auto file = postseal::config::File::load(*path);
      std::printf("%s: ok\n", file.source().c_str());
      return 0;
    };
  });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"postseal - DKIM signing, SRS forwarding and SPF/DKIM verification for Postfix"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "postseal 0.1.0");
  postseal::Runner run;
  try {
    declare_all_keys();
    postseal::keys::add_commands(app, run);
    postseal::signer::add_commands(app, run);
    postseal::srs::add_commands(app, run);
    postseal::verifier::add_commands(app, run);
    postseal::dns::add_commands(app, run);
    add_check_config(app, run);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      int rc = app.exit(e);
      return rc == 0 ? 0 : postseal::kExitUsage;
    }
    return run ? run() : 0;
  } catch (const postseal::StartupError& e) {
    std::fprintf(stderr, "postseal: fatal: %s\n", e.what());
    return e.code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "postseal: fatal: %s\n", e.what());
    return postseal::kExitSoftware;
  }
}
