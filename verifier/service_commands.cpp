// service_commands.cpp - `postseal verifier` and `postseal policy` (placeholders).
#include "verifier/commands.hpp"

#include "core/util/config.hpp"

namespace postseal::verifier {

void add_service_commands(CLI::App&, Runner&) {}

std::span<const config::Key> service_config_keys() { return {}; }

}  // namespace postseal::verifier
