// commands.cpp - the verifier folder's subcommands, each defined in its own file.
#include "verifier/commands.hpp"

#include "core/util/config.hpp"
#include "verifier/proxy/proxy.hpp"

#include <vector>

namespace postseal::verifier {

void add_commands(CLI::App& app, Runner& run) {
  add_verify_command(app, run);
  add_spf_command(app, run);
  add_verifier_command(app, run);
  add_policy_command(app, run);
}

std::span<const config::Key> config_keys() {
  static const std::vector<config::Key> all = [] {
    std::vector<config::Key> v;
    for (const auto& k : spf_config_keys()) v.push_back(k);
    for (const auto& k : service_config_keys()) v.push_back(k);
    for (const auto& k : proxy::config_keys()) v.push_back(k);
    return v;
  }();
  return all;
}

}  // namespace postseal::verifier
