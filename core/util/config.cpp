// config.cpp - the config table: declarations, loading and checking (see config.hpp).
#include "core/util/config.hpp"

#include "core/util/errors.hpp"
#include "core/util/read_file.hpp"

#include <fmt/format.h>

#include <mutex>

namespace postseal::config {
namespace {

std::vector<Key>& registry() {
  static std::vector<Key> keys;
  return keys;
}

std::string_view type_name(Type t) {
  switch (t) {
    case Type::boolean: return "a boolean";
    case Type::integer: return "an integer";
    case Type::string: return "a string";
    case Type::strings: return "an array of strings";
    case Type::tables: return "an array of tables";
  }
  return "?";
}

bool type_matches(Type t, const toml::node& n) {
  switch (t) {
    case Type::boolean: return n.is_boolean();
    case Type::integer: return n.is_integer();
    case Type::string: return n.is_string();
    case Type::strings: {
      if (n.is_string()) return true;  // a single string is accepted as a list of one
      const auto* arr = n.as_array();
      if (arr == nullptr) return false;
      for (const auto& e : *arr)
        if (!e.is_string()) return false;
      return true;
    }
    case Type::tables: return n.is_array_of_tables();
  }
  return false;
}

std::string where(std::string_view source, const toml::node& n) {
  const auto& src = n.source();
  if (src.begin.line == 0) return std::string(source);
  return fmt::format("{}, line {}", source, src.begin.line);
}

void check_node(const toml::node& n, const std::string& path, std::string_view source,
                std::vector<std::string>& out);

void check_table(const toml::table& t, const std::string& prefix, std::string_view source,
                 std::vector<std::string>& out) {
  for (const auto& [k, v] : t) {
    std::string path = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    check_node(v, path, source, out);
  }
}

void check_node(const toml::node& n, const std::string& path, std::string_view source,
                std::vector<std::string>& out) {
  const Key* key = find_key(path);
  if (key == nullptr) {
    if (const auto* sub = n.as_table(); sub != nullptr) {  // a section, possibly empty
      bool any_declared = false;
      for (const auto& k : registry()) any_declared |= k.path.starts_with(path + ".");
      if (any_declared) return check_table(*sub, path, source, out);
    }
    out.push_back(fmt::format("{}: unknown key '{}'", where(source, n), path));
    return;
  }
  if (!type_matches(key->type, n)) {
    out.push_back(fmt::format("{}: '{}' must be {}", where(source, n), path, type_name(key->type)));
    return;
  }
  if (key->type == Type::integer && (key->min != 0 || key->max != 0)) {
    auto v = n.value<std::int64_t>().value_or(0);
    if (v < key->min || v > key->max)
      out.push_back(fmt::format("{}: '{}' = {} is out of range [{}, {}]", where(source, n), path,
                                v, key->min, key->max));
  }
  if (key->type == Type::tables)
    for (const auto& e : *n.as_array()) check_table(*e.as_table(), path + "[]", source, out);
}

toml::table parse_fallback(std::string_view text) {
  return toml::parse(fmt::format("v = {}", text));
}

// value_line - the line of the first value in `node` (a string or a list of strings) that the
// problem quotes (or, for "SELECTOR:KEYFILE", whose file it names), depth first; 0 when none.
std::int64_t value_line(const toml::node& node, const std::string& problem) {
  if (const auto* text = node.as_string()) {
    const std::string& value = text->get();
    const std::string file = value.substr(value.rfind(':') + 1);  // "SELECTOR:KEYFILE" names KEYFILE
    const bool quoted = (value.size() >= 2 && problem.find(value) != std::string::npos) ||
                        (file.size() >= 2 && problem.find(file) != std::string::npos);
    return quoted ? node.source().begin.line : 0;
  }
  if (const auto* array = node.as_array())
    for (const auto& e : *array)
      if (auto line = value_line(e, problem)) return line;
  if (const auto* table = node.as_table())
    for (const auto& [k, v] : *table)
      if (auto line = value_line(v, problem)) return line;
  return 0;
}

}  // namespace

void declare(std::span<const Key> keys) {
  static std::mutex m;
  std::lock_guard lock(m);
  for (const auto& k : keys)
    if (find_key(k.path) == nullptr) registry().push_back(k);
}

const std::vector<Key>& declared() { return registry(); }

const Key* find_key(std::string_view path) {
  for (const auto& k : registry())
    if (k.path == path) return &k;
  return nullptr;
}

std::vector<std::string> problems(const toml::table& root, std::string_view source) {
  std::vector<std::string> out;
  check_table(root, "", source, out);
  return out;
}

File File::parse(std::string_view text, std::string_view source) {
  File f;
  f.source_ = std::string(source);
  try {
    f.root_ = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw config_error(fmt::format("{}, line {}: {}", source, e.source().begin.line,
                                   e.description()));
  }
  auto list = problems(f.root_, source);
  if (!list.empty()) {
    std::string all;
    for (const auto& p : list) all += (all.empty() ? "" : "\n") + p;
    throw config_error(all);
  }
  return f;
}

File File::load(const std::filesystem::path& path) {
  auto text = read_local_file(path, kMaxFileOctets, FileKind::any_readable);
  if (!text) throw config_error(fmt::format("cannot read config file {}: {}", path.string(), text.error()));
  return parse(*text, path.string());
}

std::string resolve_path(std::string_view given) {
  if (!given.empty()) return std::string(given);
  std::error_code ec;
  return std::filesystem::exists(kDefaultPath, ec) ? std::string(kDefaultPath) : std::string();
}

File File::load_or_default(std::string_view given) {
  const std::string path = resolve_path(given);
  return path.empty() ? File{} : load(path);
}

const toml::node* File::node(std::string_view path) const {
  return root_.at_path(path).node();
}

bool File::has(std::string_view path) const { return node(path) != nullptr; }

std::string File::where(std::string_view path) const {
  const auto* n = node(path);
  return n == nullptr ? source_ : config::where(source_, *n);
}

static const Key& must_find(std::string_view path) {
  const Key* k = find_key(path);
  if (k == nullptr) throw StartupError(kExitSoftware, fmt::format("undeclared config key {}", path));
  return *k;
}

bool File::boolean(std::string_view path) const {
  if (const auto* n = node(path)) return n->value<bool>().value_or(false);
  return parse_fallback(must_find(path).fallback)["v"].value<bool>().value_or(false);
}

std::int64_t File::integer(std::string_view path) const {
  if (const auto* n = node(path)) return n->value<std::int64_t>().value_or(0);
  return parse_fallback(must_find(path).fallback)["v"].value<std::int64_t>().value_or(0);
}

std::string File::string(std::string_view path) const {
  if (const auto* n = node(path)) return n->value<std::string>().value_or("");
  return parse_fallback(must_find(path).fallback)["v"].value<std::string>().value_or("");
}

static std::vector<std::string> node_strings(const toml::node* n) {
  std::vector<std::string> out;
  if (n == nullptr) return out;
  if (n->is_string()) {
    out.push_back(*n->value<std::string>());
  } else if (const auto* arr = n->as_array()) {
    for (const auto& e : *arr) out.push_back(e.value<std::string>().value_or(""));
  }
  return out;
}

std::vector<std::string> File::strings(std::string_view path) const {
  if (const auto* n = node(path)) return node_strings(n);
  auto fb = parse_fallback(must_find(path).fallback);
  return node_strings(fb.get("v"));
}

std::vector<const toml::table*> File::tables(std::string_view path) const {
  std::vector<const toml::table*> out;
  if (const auto* n = node(path); n != nullptr && n->is_array_of_tables())
    for (const auto& e : *n->as_array()) out.push_back(e.as_table());
  return out;
}

std::string table_string(const toml::table& t, std::string_view key, std::string_view declared_path) {
  if (const auto* n = t.get(key)) return n->value<std::string>().value_or("");
  return parse_fallback(must_find(declared_path).fallback)["v"].value<std::string>().value_or("");
}

std::int64_t table_integer(const toml::table& t, std::string_view key, std::string_view declared_path) {
  if (const auto* n = t.get(key)) return n->value<std::int64_t>().value_or(0);
  return parse_fallback(must_find(declared_path).fallback)["v"].value<std::int64_t>().value_or(0);
}

bool table_boolean(const toml::table& t, std::string_view key, std::string_view declared_path) {
  if (const auto* n = t.get(key)) return n->value<bool>().value_or(false);
  return parse_fallback(must_find(declared_path).fallback)["v"].value<bool>().value_or(false);
}

std::vector<std::string> table_strings(const toml::table& t, std::string_view key,
                                       std::string_view declared_path) {
  if (const auto* n = t.get(key)) return node_strings(n);
  auto fb = parse_fallback(must_find(declared_path).fallback);
  return node_strings(fb.get("v"));
}

std::string located(const File& file, const std::string& problem) {
  if (problem.starts_with(file.source())) return problem;  // already names file and line
  for (const auto& key : declared()) {
    if (key.path.find("[]") != std::string_view::npos || !file.has(key.path)) continue;
    const std::string name(key.path.substr(key.path.rfind('.') + 1));
    if (problem.find(key.path) != std::string::npos || problem.starts_with(name + ":") ||
        problem.starts_with(name + " "))
      return file.where(key.path) + ": " + problem;
  }
  if (auto line = value_line(file.root(), problem))
    return fmt::format("{}, line {}: {}", file.source(), line, problem);
  return file.source() + ": " + problem;
}

}  // namespace postseal::config
