// output.hpp - what an importer produces: postseal.toml sections, each key with a comment
// naming the source line it came from, and the report of every setting not carried over.
//
// The text is TOML that config::File loads (strings are written as TOML basic strings with
// every control character escaped, so nothing in a source file can end a string or start a
// key). Notes name "FILE:LINE", the setting as written (made printable, truncated) and why.
#pragma once

#include "import/config_lines.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <expected>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::migrate {

// kMaxSourceOctets - a source file (or a table it names) larger than this is not read.
inline constexpr std::size_t kMaxSourceOctets = 1024 * 1024;

// ReadFile - how an importer reads the files it is given or finds named (tests inject one).
using ReadFile = std::function<std::expected<std::string, std::string>(const std::string& path)>;

// Note - one setting not carried over.
struct Note {
  std::string where;    // "FILE:LINE", or "FILE" for what the file lacks
  std::string setting;  // as written in the source ("SubDomains yes")
  std::string reason;   // why, and what to do instead
};

// Entry - one key = value line of a section, with the source it came from.
struct Entry {
  std::string key;
  std::string value;   // TOML text of the value
  std::string origin;  // "FILE:LINE: Setting value", or a short explanation
};

// Section - "[signer]" or one "[[signer.domain]]".
struct Section {
  std::string header;
  std::vector<std::string> comments;
  std::vector<Entry> entries;
};

// Result - what one import produced.
struct Result {
  std::string tool;              // "opendkim", "postsrsd", "policyd-spf", "smf-spf"
  std::string source;            // the file imported
  std::deque<Section> sections;  // a deque: references to sections stay valid as more are added
  std::vector<Note> notes;

  // section - the [name] section (made on first use); array tables are always added anew.
  Section& section(std::string_view name);
  Section& array_table(std::string_view name);
  void note(std::string where, std::string_view setting, std::string reason);
};

// toml_string - `text` as a TOML basic string ("..." with escapes).
std::string toml_string(std::string_view text);
// toml_strings - a TOML array of basic strings.
std::string toml_strings(const std::vector<std::string>& items);
std::string toml_bool(bool value);

// add - one key to a section (the value already TOML text).
void add(Section& s, std::string key, std::string value, std::string origin);

// has_key - the section already has `key`.
bool has_key(const Section& s, std::string_view key);

// where - "FILE:LINE".
std::string where(std::string_view file, std::size_t line);

// read_source - the file to import, through `read`; StartupError (exit 66) when it cannot be
// read or is larger than kMaxSourceOctets.
std::string read_source(const ReadFile& read, const std::string& path);

// sort_notes - by file, then line (a note without a line first), keeping the order of equals.
void sort_notes(std::vector<Note>& notes);

// note_malformed - one note per line of `path` the tool's line rules could not read.
void note_malformed(Result& r, std::string_view path, const std::vector<Malformed>& lines);

// run_importer - what every importer does with its file's settings: each to
// `importer.apply()` in file order, then `importer.finish()`, the unreadable lines noted, and
// the notes sorted by file and line.
template <typename Importer>
void run_importer(Result& r, Importer& importer, const ReadSettings& rs, std::string_view path) {
  for (const auto& s : rs.settings) importer.apply(s);
  importer.finish();
  note_malformed(r, path, rs.malformed);
  sort_notes(r.notes);
}

// render - the TOML text: a header naming the tool and source, the sections, then the notes
// as '#' comments ("not carried over").
std::string render(const Result& result);
// render_notes - the notes as report lines "FILE:LINE: SETTING: REASON", one per note.
std::string render_notes(const Result& result);

}  // namespace postseal::migrate
