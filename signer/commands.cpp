// commands.cpp - the signer folder's subcommands, each defined in its own file.
#include "signer/commands.hpp"

#include "core/util/config.hpp"

namespace postseal::signer {

void add_commands(CLI::App& app, Runner& run) {
  add_sign_command(app, run);
  add_signer_command(app, run);
}

std::span<const config::Key> config_keys() { return filter_config_keys(); }

}  // namespace postseal::signer
