// text.cpp - helpers for untrusted text (see text.hpp).
#include "core/util/text.hpp"

#include <algorithm>

namespace postseal {

static bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

std::string quoted_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

bool has_control(std::string_view in) {
  for (char ch : in)
    if (is_control(static_cast<unsigned char>(ch))) return true;
  return false;
}

std::string printable(std::string_view in, std::size_t limit) {
  std::string out;
  const bool cut = in.size() > limit;
  const std::size_t n = cut ? limit : in.size();
  out.reserve(n + 3);
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(in[i]);
    out.push_back(!is_control(c) && c < 0x80 ? static_cast<char>(c) : '?');
  }
  if (cut) out += "...";
  return out;
}

static char lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

std::string to_lower(std::string_view in) {
  std::string out(in);
  for (auto& c : out) c = lower_ascii(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
  return true;
}

std::string_view trim(std::string_view in) {
  while (!in.empty() && (in.front() == ' ' || in.front() == '\t')) in.remove_prefix(1);
  while (!in.empty() && (in.back() == ' ' || in.back() == '\t')) in.remove_suffix(1);
  return in;
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::vector<std::string_view> split_list(std::string_view text) {
  std::vector<std::string_view> items;
  std::size_t i = 0;
  while (i < text.size()) {
    auto end = std::min(text.find_first_of(", \t", i), text.size());
    if (end > i) items.push_back(text.substr(i, end - i));
    i = end + 1;
  }
  return items;
}

}  // namespace postseal
