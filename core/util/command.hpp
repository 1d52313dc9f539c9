// command.hpp - how a folder adds its subcommands to the postseal executable.
//
// Each capability folder has commands.cpp with `void add_commands(CLI::App&, Runner&)`: it
// adds its subcommands with their options and, in each subcommand's callback, sets `run` to
// the function that does the work. main() parses the command line, then calls run() inside
// the one try/catch that turns StartupError into a message and an exit code.
#pragma once

#include <functional>
#include <span>

namespace CLI {
class App;
}

namespace postseal {
namespace config {
struct Key;
}

using Runner = std::function<int()>;

}  // namespace postseal
