// spf_command.cpp - `postseal spf` (placeholder until the SPF engine lands).
#include "verifier/commands.hpp"

#include "core/util/config.hpp"

namespace postseal::verifier {

void add_spf_command(CLI::App&, Runner&) {}

std::span<const config::Key> spf_config_keys() { return {}; }

}  // namespace postseal::verifier
