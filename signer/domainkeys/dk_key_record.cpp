// dk_key_record.cpp - DomainKeys key record parsing and g= matching (see dk_key_record.hpp).
#include "signer/domainkeys/dk_key_record.hpp"

#include "core/util/text.hpp"
#include "signer/dkim/tag_list.hpp"

#include <fmt/format.h>

namespace postseal::domainkeys {

namespace {

std::string strip_fws(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out.push_back(c);
  }
  return out;
}

}  // namespace

std::expected<KeyRecord, std::string> parse_key_record(std::string_view text) {
  if (text.size() > kMaxKeyRecordOctets) return std::unexpected("key record too large");
  auto tags = dkim::parse_tag_list(text);
  if (!tags) {
    return std::unexpected(fmt::format("key record: {}", dkim::to_string(tags.error())));
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
  rec.p = strip_fws(*p);
  if (auto g = tags->get("g")) rec.g = std::string(*g);
  if (auto h = tags->get("h")) {
    std::string hashes = ":" + to_lower(strip_fws(*h)) + ":";
    rec.allows_sha1 = hashes.find(":sha1:") != std::string::npos;
  }
  if (auto t = tags->get("t")) {
    std::string flags = strip_fws(*t);
    for (std::size_t i = 0; i < flags.size(); ++i) {
      auto end = flags.find(':', i);
      if (end == std::string::npos) end = flags.size();
      if (iequals(std::string_view(flags).substr(i, end - i), "y")) rec.testing = true;
      i = end;
    }
  }
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
