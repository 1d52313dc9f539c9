// output.cpp - TOML sections and the not-carried-over report of an import (see output.hpp).
#include "import/output.hpp"

#include "core/util/errors.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace postseal::migrate {
namespace {

// kMaxShownSetting - how much of a source line a note quotes.
constexpr std::size_t kMaxShownSetting = 120;

// comment_text - one line, printable, for a '#' comment.
std::string comment_text(std::string_view text) { return printable(text, 400); }

}  // namespace

Section& Result::section(std::string_view name) {
  const std::string header = fmt::format("[{}]", name);
  for (auto& s : sections)
    if (s.header == header) return s;
  sections.push_back({header, {}, {}});
  return sections.back();
}

Section& Result::array_table(std::string_view name) {
  sections.push_back({fmt::format("[[{}]]", name), {}, {}});
  return sections.back();
}

void Result::note(std::string where_text, std::string_view setting, std::string reason) {
  for (const auto& n : notes)  // one note per setting: the first reason found
    if (n.where == where_text && n.setting == printable(setting, kMaxShownSetting)) return;
  notes.push_back({std::move(where_text), printable(setting, kMaxShownSetting), std::move(reason)});
}

std::string toml_string(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) out += fmt::format("\\u{:04X}", c);
        else out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string toml_strings(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + toml_string(items[i]);
  return out + "]";
}

std::string toml_bool(bool value) { return value ? "true" : "false"; }

void add(Section& s, std::string key, std::string value, std::string origin) {
  for (auto& e : s.entries)
    if (e.key == key) {  // a later line of the source wins, as in the tools themselves
      e.value = std::move(value);
      e.origin = std::move(origin);
      return;
    }
  s.entries.push_back({std::move(key), std::move(value), std::move(origin)});
}

bool has_key(const Section& s, std::string_view key) {
  for (const auto& e : s.entries)
    if (e.key == key) return true;
  return false;
}

void note_malformed(Result& r, std::string_view path, const std::vector<Malformed>& lines) {
  for (const auto& m : lines) r.note(where(path, m.line), m.text, m.why);
}

std::string where(std::string_view file, std::size_t line) {
  return fmt::format("{}:{}", file, line);
}

namespace {

// file_and_line - "FILE:LINE" split; line 0 when there is none.
std::pair<std::string_view, std::size_t> file_and_line(std::string_view where_text) {
  auto colon = where_text.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == where_text.size()) return {where_text, 0};
  std::size_t line = 0;
  for (char c : where_text.substr(colon + 1)) {
    if (c < '0' || c > '9') return {where_text, 0};
    line = line * 10 + static_cast<std::size_t>(c - '0');
  }
  return {where_text.substr(0, colon), line};
}

}  // namespace

void sort_notes(std::vector<Note>& notes) {
  std::stable_sort(notes.begin(), notes.end(), [](const Note& a, const Note& b) {
    return file_and_line(a.where) < file_and_line(b.where);
  });
}

std::string read_source(const ReadFile& read, const std::string& path) {
  auto text = read(path);
  if (!text)
    throw StartupError(kExitNoInput, fmt::format("cannot read {}: {}", path, text.error()));
  if (text->size() > kMaxSourceOctets)
    throw StartupError(kExitNoInput,
                       fmt::format("{}: larger than {} octets", path, kMaxSourceOctets));
  return *text;
}

std::string render(const Result& r) {
  std::string out = fmt::format(
      "# postseal.toml sections made by `postseal import {}` from {}.\n"
      "# Check them with `postseal check-config -c FILE` before use; each key names the line it\n"
      "# came from. Settings not carried over are listed at the end.\n",
      r.tool, comment_text(r.source));
  for (const auto& s : r.sections) {
    out += "\n" + s.header + "\n";
    for (const auto& c : s.comments) out += "# " + comment_text(c) + "\n";
    for (const auto& e : s.entries) {
      if (!e.origin.empty()) out += "# " + comment_text(e.origin) + "\n";
      out += e.key + " = " + e.value + "\n";
    }
  }
  if (!r.notes.empty()) {
    out += fmt::format("\n# Not carried over ({}):\n", r.notes.size());
    for (const auto& n : r.notes)
      out += fmt::format("# {}: {}: {}\n", comment_text(n.where), comment_text(n.setting),
                         comment_text(n.reason));
  }
  return out;
}

std::string render_notes(const Result& r) {
  std::string out;
  for (const auto& n : r.notes)
    out += fmt::format("{}: {}: not carried over: {}\n", printable(n.where, 400), n.setting,
                       printable(n.reason, 400));
  return out;
}

}  // namespace postseal::migrate
