// commands.hpp - the verifier folder's subcommands and config keys (see core/util/command.hpp).
//   verify                 verifier/verify_command.cpp (DKIM/DomainKeys check of one message)
//   spf                    verifier/spf_command.cpp (one SPF evaluation, lint, draft records)
//   verifier               verifier/verifier_command.cpp (policy daemon, milter, proxy)
//   policy                 verifier/policy_command.cpp (one policy session on stdin/stdout)
//                          (their shared options and [verifier] keys: verifier/inbound_options.hpp)
#pragma once

#include "core/util/command.hpp"

#include <string>
#include <vector>

namespace postseal::verifier {

void add_commands(CLI::App& app, Runner& run);
std::span<const config::Key> config_keys();

void add_verify_command(CLI::App& app, Runner& run);
void add_spf_command(CLI::App& app, Runner& run);
void add_verifier_command(CLI::App& app, Runner& run);
void add_policy_command(CLI::App& app, Runner& run);
std::span<const config::Key> spf_config_keys();
std::span<const config::Key> service_config_keys();
// check_service_config - what `postseal verifier` would refuse (or warn about, "warning: ...")
// at start with this file: decision options, DNS, listeners, milter and proxy, the user.
std::vector<std::string> check_service_config(const config::File& file);

}  // namespace postseal::verifier
