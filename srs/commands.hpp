// commands.hpp - the srs folder's subcommands and config keys (see core/util/command.hpp).
#pragma once

#include "core/util/command.hpp"

namespace postseal::srs {

void add_commands(CLI::App& app, Runner& run);
std::span<const config::Key> config_keys();

}  // namespace postseal::srs
