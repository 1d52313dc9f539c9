// commands.hpp - the signer folder's subcommands and config keys (see core/util/command.hpp).
//   sign              signer/sign_command.cpp (debug tool; `verify` is in verifier/)
//   signer            signer/filter/signer_command.cpp (the after-queue content filter)
#pragma once

#include "core/util/command.hpp"

namespace postseal::signer {

void add_commands(CLI::App& app, Runner& run);
std::span<const config::Key> config_keys();

void add_sign_command(CLI::App& app, Runner& run);
void add_signer_command(CLI::App& app, Runner& run);
std::span<const config::Key> filter_config_keys();

}  // namespace postseal::signer
