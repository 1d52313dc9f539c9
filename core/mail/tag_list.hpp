// tag_list.hpp - RFC 6376 3.2 tag=value lists (DKIM-Signature, key records; DomainKeys too).
//
// Untrusted input: header field values and DNS TXT records. Strict: tag names are
// ALPHA *(ALPHA / DIGIT / "_"), a duplicate tag is an error (3.2: "MUST be treated as
// permerror"), values keep inner FWS (callers strip it where the tag's grammar allows),
// surrounding whitespace is trimmed. Limits: kMaxTags tags, kMaxTagListBytes octets.
// strip_fws and trim_fws are the one rule for FWS inside and around tag values (SP, HTAB, CR,
// LF), used wherever a tag's grammar lets FWS appear (b=, bh=, p=, h=, ...).
#pragma once

#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postseal::mail {

inline constexpr std::size_t kMaxTags = 64;
inline constexpr std::size_t kMaxTagListBytes = 64 * 1024;

enum class TagListError { too_large, too_many_tags, bad_tag_name, missing_equals, duplicate_tag };
std::string_view to_string(TagListError e);

// TagList - tags in order of appearance.
struct TagList {
  std::vector<std::pair<std::string, std::string>> tags;
  // get - the value of `name` (case-sensitive, as RFC 6376 3.2 says), if present.
  std::optional<std::string_view> get(std::string_view name) const;
};

std::expected<TagList, TagListError> parse_tag_list(std::string_view text);

// is_fws - SP, HTAB, CR or LF (RFC 6376 2.8 FWS, with the line break octets).
bool is_fws(char c);
// strip_fws - `text` without any FWS octet.
std::string strip_fws(std::string_view text);
// trim_fws - `text` without FWS at either end.
std::string_view trim_fws(std::string_view text);
// split_colon_list - a tag value that is a colon-separated list (h=, q=, key h=, s=, t=):
// the entries in order, each with its surrounding FWS trimmed ("a : b:" -> "a", "b", "").
std::vector<std::string_view> split_colon_list(std::string_view value);

}  // namespace postseal::mail
