// main.cpp - the postseal executable: one program, git-style subcommands.
//
// Each folder adds its own subcommands (keys/, signer/, srs/, verifier/, and cli/ for
// check-config, dns-lookup and dmarc; one <name>_command.cpp each, see
// core/util/command.hpp); this file only parses the command line, declares every folder's config keys (cli/config_keys.cpp),
// runs the chosen command and turns start-up errors into a message on stderr and a sysexits
// code.
#include "cli/commands.hpp"
#include "cli/config_keys.hpp"
#include "core/util/command.hpp"
#include "core/util/errors.hpp"
#include "keys/commands.hpp"
#include "signer/commands.hpp"
#include "srs/commands.hpp"
#include "verifier/commands.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>

int main(int argc, char** argv) {
  CLI::App app{"postseal - DKIM signing, SRS forwarding and SPF/DKIM verification for Postfix"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "postseal 0.1.0");
  postseal::Runner run;
  try {
    postseal::cli::declare_all_config_keys();
    postseal::keys::add_commands(app, run);
    postseal::signer::add_commands(app, run);
    postseal::srs::add_commands(app, run);
    postseal::verifier::add_commands(app, run);
    postseal::cli::add_dns_lookup_command(app, run);
    postseal::cli::add_dmarc_command(app, run);
    postseal::cli::add_import_command(app, run);
    postseal::cli::add_greylist_command(app, run);
    postseal::cli::add_check_config_command(app, run);
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
