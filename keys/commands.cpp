// commands.cpp - the keys folder's subcommands, each defined in its own <name>_command.cpp.
#include "keys/commands.hpp"

namespace postseal::keys {

void add_commands(CLI::App& app, Runner& run) {
  add_keygen_command(app, run);
  add_dns_check_command(app, run);
  add_keys_command(app, run);
}

}  // namespace postseal::keys
