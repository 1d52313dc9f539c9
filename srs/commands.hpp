// commands.hpp - the srs folder's subcommands and config keys (see core/util/command.hpp):
//   srs forward|reverse   srs/srs_command.cpp
//   srsd                  srs/srsd_command.cpp
#pragma once

#include "core/util/command.hpp"

#include <string>
#include <vector>

namespace postseal::srs {

void add_commands(CLI::App& app, Runner& run);
std::span<const config::Key> config_keys();

void add_srs_command(CLI::App& app, Runner& run);
void add_srsd_command(CLI::App& app, Runner& run);
// check_srs_config - what `postseal srsd` would refuse (or warn about, "warning: ...") at start
// with this file's [srs] section: values, listeners, the secrets file, the user.
std::vector<std::string> check_srs_config(const config::File& file);

}  // namespace postseal::srs
