// commands.hpp - the keys folder's subcommands, one file each (see core/util/command.hpp); the
// folder's config keys are [keys] (keys/rotation/settings.hpp):
//   keygen       keys/keygen_command.cpp
//   dns-check    keys/dns_check_command.cpp
//   keys         keys/keys_command.cpp (rotate, status, tick)
#pragma once

#include "core/util/command.hpp"

namespace postseal::keys {

// add_commands - every subcommand below.
void add_commands(CLI::App& app, Runner& run);
void add_keygen_command(CLI::App& app, Runner& run);
void add_dns_check_command(CLI::App& app, Runner& run);
void add_keys_command(CLI::App& app, Runner& run);

}  // namespace postseal::keys
