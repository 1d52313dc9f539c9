// command.hpp - how a folder adds its subcommands to the postseal executable.
//
// One pattern everywhere: each subcommand is one <name>_command.cpp (`postseal srsd` is
// srs/srsd_command.cpp) with `void add_<name>_command(CLI::App&, Runner&)`, which adds the
// subcommand with its options and, in its callback, sets `run` to the function that does the
// work; each folder's commands.cpp lists its commands in `add_commands`, and the folder's
// config keys are listed once in cli/config_keys.cpp. main() parses the command line, then
// calls run() inside the one try/catch that turns StartupError into a message and an exit
// code.
#pragma once

#include <functional>
#include <span>

namespace CLI {
class App;
}

namespace postseal {
namespace config {
struct Key;
class File;
}

using Runner = std::function<int()>;

}  // namespace postseal
