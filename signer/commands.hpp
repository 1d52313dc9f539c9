// commands.hpp - the signer folder's subcommands and config keys (see core/util/command.hpp).
//   sign              signer/sign_command.cpp (debug tool; `verify` is in verifier/)
//   signer            signer/filter/signer_command.cpp (the after-queue content filter)
#pragma once

#include "core/util/command.hpp"

#include <string>
#include <vector>

namespace postseal::signer {

void add_commands(CLI::App& app, Runner& run);
std::span<const config::Key> config_keys();

void add_sign_command(CLI::App& app, Runner& run);
void add_signer_command(CLI::App& app, Runner& run);
std::span<const config::Key> filter_config_keys();
// check_signer_config - what `postseal signer` would refuse (or warn about, "warning: ...")
// at start with this file, beyond the key checks of config::File: values, key files, users.
std::vector<std::string> check_signer_config(const config::File& file);

}  // namespace postseal::signer
