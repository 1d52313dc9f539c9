// header_hash.cpp - RFC 6376 3.7 header hash input (see header_hash.hpp).
#include "core/dkim/header_hash.hpp"

#include "core/mail/tag_list.hpp"
#include "core/util/text.hpp"

#include <utility>

namespace postseal::dkim {

namespace {

// find_instance - the field of `name` used by its `seen`-th mention in h=, counting from the
// bottom (RFC 6376 5.4.2); nullptr when there are not that many instances.
const mail::HeaderField* find_instance(const std::vector<mail::HeaderField>& fields,
                                       std::string_view name, std::size_t seen) {
  for (auto it = fields.rbegin(); it != fields.rend(); ++it) {
    if (!it->is(name)) continue;
    if (seen == 0) return &*it;
    --seen;
  }
  return nullptr;
}

}  // namespace

std::string empty_b_value(std::string_view raw) {
  auto colon = raw.find(':');
  if (colon == std::string_view::npos) return std::string(raw);
  std::string out(raw.substr(0, colon + 1));
  std::size_t pos = colon + 1;
  while (pos <= raw.size()) {
    auto semi = raw.find(';', pos);
    auto end = semi == std::string_view::npos ? raw.size() : semi;
    auto tag = raw.substr(pos, end - pos);
    auto eq = tag.find('=');
    bool is_b = eq != std::string_view::npos && mail::strip_fws(tag.substr(0, eq)) == "b";
    out += is_b ? tag.substr(0, eq + 1) : tag;
    if (semi == std::string_view::npos) break;
    out += ';';
    pos = semi + 1;
  }
  return out;
}

// times_listed_before - how often h= names h[n] (case-insensitively) before position n; h= has
// at most kMaxSignedHeaders names, so this stays within 256 * 256 short comparisons.
std::size_t times_listed_before(const std::vector<std::string>& h, std::size_t n) {
  std::size_t seen = 0;
  for (std::size_t k = 0; k < n; ++k) seen += iequals(h[k], h[n]) ? 1 : 0;
  return seen;
}

std::string header_hash_input(const Signature& sig, const std::vector<mail::HeaderField>& fields,
                              std::string_view signature_field) {
  std::string data;
  data.reserve(1024);
  for (std::size_t n = 0; n < sig.h.size(); ++n) {
    if (const auto* field = find_instance(fields, sig.h[n], times_listed_before(sig.h, n))) {
      append_canonical_header(sig.header_canon, field->raw, data);
    }
  }
  append_canonical_header(sig.header_canon, empty_b_value(signature_field), data);
  data.resize(data.size() - 2);  // the signature field goes in without its final CRLF
  return data;
}

}  // namespace postseal::dkim
