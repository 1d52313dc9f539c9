// tag_list.cpp - parse RFC 6376 3.2 tag=value lists strictly and within bounds.
//
// Untrusted input: DKIM-Signature values and DNS key records. Limits: kMaxTagListBytes octets,
// kMaxTags tags. Tag names must match ALPHA *(ALPHA / DIGIT / "_"); a repeated name is an
// error; surrounding FWS (SP, HTAB, CR, LF) is trimmed from names and values; empty segments
// (";;" or a trailing ";") are skipped, as the grammar's optional final ";" and common
// practice allow.
#include "core/mail/tag_list.hpp"

namespace postseal::mail {

namespace {

bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool valid_tag_name(std::string_view name) {
  if (name.empty() || !is_alpha(name.front())) return false;
  for (char c : name) {
    if (!is_alpha(c) && !is_digit(c) && c != '_') return false;
  }
  return true;
}

// add_spec - parse one "name=value" segment into `list`.
std::optional<TagListError> add_spec(std::string_view spec, TagList& list) {
  std::size_t eq = spec.find('=');
  if (eq == std::string_view::npos) return TagListError::missing_equals;
  std::string_view name = trim_fws(spec.substr(0, eq));
  if (!valid_tag_name(name)) return TagListError::bad_tag_name;
  if (list.get(name)) return TagListError::duplicate_tag;
  if (list.tags.size() >= kMaxTags) return TagListError::too_many_tags;
  list.tags.emplace_back(std::string(name), std::string(trim_fws(spec.substr(eq + 1))));
  return std::nullopt;
}

}  // namespace

bool is_fws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string strip_fws(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {  // append each run between FWS octets whole
    std::size_t end = i;
    while (end < text.size() && !is_fws(text[end])) ++end;
    out.append(text.substr(i, end - i));
    i = end;
    while (i < text.size() && is_fws(text[i])) ++i;
  }
  return out;
}

std::string_view trim_fws(std::string_view text) {
  while (!text.empty() && is_fws(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_fws(text.back())) text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> split_colon_list(std::string_view value) {
  std::vector<std::string_view> entries;
  while (true) {
    std::size_t colon = value.find(':');
    entries.push_back(trim_fws(value.substr(0, colon)));
    if (colon == std::string_view::npos) return entries;
    value.remove_prefix(colon + 1);
  }
}

std::string_view to_string(TagListError e) {
  switch (e) {
    case TagListError::too_large: return "tag list too large";
    case TagListError::too_many_tags: return "too many tags";
    case TagListError::bad_tag_name: return "bad tag name";
    case TagListError::missing_equals: return "tag without '='";
    case TagListError::duplicate_tag: return "duplicate tag";
  }
  return "tag list error";
}

std::optional<std::string_view> TagList::get(std::string_view name) const {
  for (const auto& [tag, value] : tags) {
    if (tag == name) return std::string_view(value);
  }
  return std::nullopt;
}

std::expected<TagList, TagListError> parse_tag_list(std::string_view text) {
  if (text.size() > kMaxTagListBytes) return std::unexpected(TagListError::too_large);
  TagList list;
  list.tags.reserve(16);  // a DKIM-Signature has about a dozen tags: grown once at most
  while (!text.empty()) {
    std::size_t semi = text.find(';');
    std::string_view spec = text.substr(0, semi);
    text = semi == std::string_view::npos ? std::string_view() : text.substr(semi + 1);
    if (trim_fws(spec).empty()) continue;
    if (auto err = add_spec(spec, list)) return std::unexpected(*err);
  }
  return list;
}

}  // namespace postseal::mail
