// import_fixtures.hpp - what the importer tests share: fixture paths (tests/data/import), a
// ReadFile that maps the paths a config names to fixtures, loading the emitted TOML with every
// declared key, and looking up notes by FILE:LINE.
#pragma once

#include "cli/config_keys.hpp"
#include "core/util/config.hpp"
#include "core/util/read_file.hpp"
#include "import/output.hpp"

#include <map>
#include <string>
#include <string_view>

namespace postseal::migrate::test {

inline std::string fixture(std::string_view name) {
  return std::string(POSTSEAL_TEST_DATA) + "/import/" + std::string(name);
}

// Files - a ReadFile: mapped paths read their fixture, others fail like a missing file.
struct Files {
  std::map<std::string, std::string> map;
  std::expected<std::string, std::string> operator()(const std::string& path) const {
    auto it = map.find(path);
    const std::string real = it == map.end() ? path : it->second;
    if (it == map.end() && !real.starts_with(POSTSEAL_TEST_DATA))
      return std::unexpected("No such file or directory");
    return read_local_file(real, kMaxSourceOctets, FileKind::regular);
  }
};

// load - the rendered output as postseal loads it (throws on an unknown key or wrong type).
inline config::File load(const Result& r) {
  cli::declare_all_config_keys();
  return config::File::parse(render(r), "import output");
}

// noted - a note at `where` ("FILE:LINE" with FILE the fixture's path) whose setting contains
// `setting`.
inline bool noted(const Result& r, const std::string& where, std::string_view setting) {
  for (const auto& n : r.notes)
    if (n.where == where && n.setting.find(setting) != std::string::npos) return true;
  return false;
}

inline std::string dump(const Result& r) { return render(r); }

}  // namespace postseal::migrate::test
