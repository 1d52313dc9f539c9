// dns_command.hpp - `postseal dns-lookup`: what postseal's resolver sees (see core/util/command.hpp).
#pragma once

#include "core/util/command.hpp"

namespace postseal::dns {

void add_commands(CLI::App& app, Runner& run);

}  // namespace postseal::dns
