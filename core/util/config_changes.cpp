// config_changes.cpp - keys that differ between two config files (see config_changes.hpp).
#include "core/util/config_changes.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cassert>

namespace postseal::config {
namespace {

// same_value - whether `path` has the same value (or default) in both files.
bool same_value(const File& a, const File& b, std::string_view path) {
  const Key* key = find_key(path);
  assert(key != nullptr && "compared keys are declared");
  switch (key->type) {
    case Type::boolean: return a.boolean(path) == b.boolean(path);
    case Type::integer: return a.integer(path) == b.integer(path);
    case Type::string: return a.string(path) == b.string(path);
    case Type::strings: return a.strings(path) == b.strings(path);
    case Type::tables: break;
  }
  auto x = a.tables(path), y = b.tables(path);
  return std::equal(x.begin(), x.end(), y.begin(), y.end(),
                    [](const toml::table* p, const toml::table* q) { return *p == *q; });
}

}  // namespace

std::vector<std::string> changed(const File& running, const File& reread,
                                 std::span<const std::string> paths) {
  std::vector<std::string> out;
  for (const auto& path : paths)
    if (!same_value(running, reread, path)) out.push_back(path);
  return out;
}

std::string restart_note(const File& running, const File& reread, std::span<const std::string> keys) {
  auto changes = changed(running, reread, keys);
  if (changes.empty()) return {};
  for (auto& key : changes) key = fmt::format("{} ({})", key, reread.where(key));
  return fmt::format("changed, restart to apply (the running values stay): {}", fmt::join(changes, ", "));
}

}  // namespace postseal::config
