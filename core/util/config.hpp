// config.hpp - the one config table: every key declared once, with type, default, bounds, help.
//
// The file is TOML (/etc/postseal/postseal.toml, -c PATH to override). Each folder declares
// its keys (`path` is "section.key"; keys inside arrays of tables use "section.table[].key")
// and main() hands all declarations to declare() before loading. Loading checks every key in
// the file against the declarations: an unknown key, a wrong type or an integer out of bounds
// is a config error (exit 78) naming the file, the line and the key. Untrusted input: the
// config file (local admin, but typos are common). Limits: kMaxFileOctets per file (read with
// O_NONBLOCK, so a FIFO never blocks a start or a reload; a directory is refused with EISDIR).
// conf/postseal.toml documents every key; a unit test checks that it does.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::config {

// kDefaultPath - the config file every command reads when -c is not given and it exists.
inline constexpr std::string_view kDefaultPath = "/etc/postseal/postseal.toml";
// kMaxFileOctets - a config file larger than this is refused (no postseal.toml comes close).
inline constexpr std::size_t kMaxFileOctets = 1024 * 1024;

// resolve_path - `given` when not empty, else kDefaultPath when it exists, else "" (no file:
// the declared defaults).
std::string resolve_path(std::string_view given);

enum class Type { boolean, integer, string, strings, tables };

// Key - one declared configuration key.
struct Key {
  std::string_view path;      // "signer.listen", "signer.domain[].selector"
  Type type;
  std::string_view fallback;  // default, as TOML text ("true", "10027", "\"127.0.0.1:10027\"")
  std::int64_t min = 0;       // integers: bounds (min == max == 0: unbounded)
  std::int64_t max = 0;
  std::string_view help;
};

// declare - add a folder's keys to the table (idempotent per path).
void declare(std::span<const Key> keys);
// declared - every key declared so far, in declaration order.
const std::vector<Key>& declared();
const Key* find_key(std::string_view path);

// File - a loaded, checked configuration file.
class File {
 public:
  File() = default;
  // load - read and check a file; throws StartupError (exit 78) naming file, line and key.
  static File load(const std::filesystem::path& path);
  // load_or_default - load(resolve_path(given)), or the declared defaults when that is "".
  static File load_or_default(std::string_view given);
  // parse - the same from text (`source` names it in messages).
  static File parse(std::string_view text, std::string_view source);

  // Scalar getters: the value in the file, else the declared default. Paths must be declared.
  bool boolean(std::string_view path) const;
  std::int64_t integer(std::string_view path) const;
  std::string string(std::string_view path) const;
  std::vector<std::string> strings(std::string_view path) const;
  bool has(std::string_view path) const;
  // where - "FILE, line N" for a key present in the file, else the file's name.
  std::string where(std::string_view path) const;
  // tables - the tables of an array of tables ("signer.domain"), empty when absent.
  std::vector<const toml::table*> tables(std::string_view path) const;
  const toml::table& root() const { return root_; }
  const std::string& source() const { return source_; }

 private:
  const toml::node* node(std::string_view path) const;
  toml::table root_;
  std::string source_ = "(defaults)";
};

// located - a start-up problem prefixed with "FILE, line N" of the key it names ("helo_reject:
// ..." or "... verifier.helo_reject ..."), else of the value it quotes (a key file, a DNS
// server), else with the file's name (check-config and failed reloads say where).
std::string located(const File& file, const std::string& problem);

// problems - check a parsed table against the declarations; one message per problem.
std::vector<std::string> problems(const toml::table& root, std::string_view source);

// Table getters for keys inside arrays of tables (the value, else the declared default of
// `declared_path`).
std::string table_string(const toml::table& t, std::string_view key, std::string_view declared_path);
std::int64_t table_integer(const toml::table& t, std::string_view key, std::string_view declared_path);
bool table_boolean(const toml::table& t, std::string_view key, std::string_view declared_path);
std::vector<std::string> table_strings(const toml::table& t, std::string_view key,
                                       std::string_view declared_path);

}  // namespace postseal::config
