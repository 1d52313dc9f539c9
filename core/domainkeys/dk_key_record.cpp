// dk_key_record.cpp - DomainKeys key record parsing and g= matching (see dk_key_record.hpp).
#include "core/domainkeys/dk_key_record.hpp"

#include "core/mail/tag_list.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace postseal::domainkeys {

namespace {

// list_has - a colon-separated tag value (h=, t=) lists `item`, compared case-insensitively.
bool list_has(std::string_view list, std::string_view item) {
  for (auto entry : mail::split_colon_list(list)) {
    if (iequals(entry, item)) return true;
  }
  return false;
}

}  // namespace

std::expected<KeyRecord, std::string> parse_key_record(std::string_view text) {
  if (text.size() > kMaxKeyRecordOctets) return std::unexpected("key record too large");
  auto tags = mail::parse_tag_list(text);
  if (!tags) {
    return std::unexpected(fmt::format("key record: {}", mail::to_string(tags.error())));
  }
  KeyRecord rec;
  if (auto k = tags->get("k")) {
    rec.k = to_lower(*k);
    if (rec.k != "rsa") {
      return std::unexpected(fmt::format("unknown key type k={}", printable(*k, 40)));
    }
  }
  auto p = tags->get("p");
  if (!p) return std::unexpected("key record has no p= tag");
  rec.p = mail::strip_fws(*p);
  if (auto g = tags->get("g")) rec.g = std::string(*g);
  if (auto h = tags->get("h")) rec.allows_sha1 = list_has(*h, "sha1");
  if (auto t = tags->get("t")) rec.testing = list_has(*t, "y");
  return rec;
}

bool granularity_matches(std::string_view g, std::string_view local_part) {
  if (g.empty()) return true;
  auto star = g.find('*');
  if (star == std::string_view::npos) return g == local_part;
  std::string_view head = g.substr(0, star), tail = g.substr(star + 1);
  return local_part.size() >= head.size() + tail.size() && local_part.starts_with(head) &&
         local_part.ends_with(tail);
}

}  // namespace postseal::domainkeys
