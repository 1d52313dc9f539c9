// signer_command.cpp - `postseal signer` (placeholder until the content filter lands).
#include "signer/commands.hpp"

#include "core/util/config.hpp"

namespace postseal::signer {

void add_signer_command(CLI::App&, Runner&) {}

std::span<const config::Key> filter_config_keys() { return {}; }

}  // namespace postseal::signer
