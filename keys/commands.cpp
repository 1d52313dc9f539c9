// commands.cpp - the keys folder's subcommands (placeholder until its issue lands).
#include "keys/commands.hpp"

#include "core/util/config.hpp"

#include <CLI/CLI.hpp>

namespace postseal::keys {

void add_commands(CLI::App&, Runner&) {}

std::span<const config::Key> config_keys() { return {}; }

}  // namespace postseal::keys
