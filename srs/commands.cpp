// commands.cpp - the srs folder's subcommands (placeholder until its issue lands).
#include "srs/commands.hpp"

#include "core/util/config.hpp"

#include <CLI/CLI.hpp>

namespace postseal::srs {

void add_commands(CLI::App&, Runner&) {}

std::span<const config::Key> config_keys() { return {}; }

}  // namespace postseal::srs
