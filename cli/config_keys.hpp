// config_keys.hpp - the one list of postseal.toml's key groups: every folder that declares
// keys is named here once, and `postseal` (main), `postseal check-config` and the test that
// conf/postseal.toml documents every key all declare from this list, so a group added here is
// loaded, checked and tested alike.
#pragma once

#include "core/util/config.hpp"

#include <span>
#include <string_view>
#include <vector>

namespace postseal::cli {

// KeyGroup - one folder's declarations.
struct KeyGroup {
  std::string_view owner;  // the folder or library that declares them ("srs", "dns")
  std::span<const config::Key> keys;
};

// config_key_groups - every group, in the order conf/postseal.toml documents them.
std::vector<KeyGroup> config_key_groups();
// declare_all_config_keys - config::declare() every group.
void declare_all_config_keys();

}  // namespace postseal::cli
