// dns_check.cpp - is the published DKIM key the one we sign with? (`postseal dns-check`)
//
// RFC 6376 3.6.1, 3.6.2.2; RFC 8463 4. Untrusted input: TXT answers (bounded by
// kMaxCheckedRecordBytes and kMaxCheckedTags; shown only through printable()).
#include "keys/dns_check.hpp"

#include "core/util/text.hpp"
#include "keys/txt_record.hpp"

#include <fmt/format.h>

#include <optional>
#include <vector>

namespace postseal::keys {

namespace {

using Tags = std::vector<std::pair<std::string, std::string>>;

// strip_fws - the value without whitespace (p= may be folded across strings with spaces).
std::string strip_fws(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out.push_back(c);
  }
  return out;
}

// split_tags - "a=b; c=d" into pairs; nullopt when too long or too many tags.
std::optional<Tags> split_tags(std::string_view text) {
  if (text.size() > kMaxCheckedRecordBytes) return std::nullopt;
  Tags tags;
  while (!text.empty()) {
    std::size_t semi = text.find(';');
    std::string_view spec = text.substr(0, semi);
    text = semi == std::string_view::npos ? std::string_view() : text.substr(semi + 1);
    std::size_t eq = spec.find('=');
    if (trim(spec).empty()) continue;
    if (eq == std::string_view::npos || tags.size() >= kMaxCheckedTags) return std::nullopt;
    tags.emplace_back(strip_fws(spec.substr(0, eq)), strip_fws(spec.substr(eq + 1)));
  }
  return tags;
}

std::optional<std::string> tag(const Tags& tags, std::string_view name) {
  for (const auto& [k, v] : tags) {
    if (k == name) return v;
  }
  return std::nullopt;
}

// dkim_records - the TXT records that look like DKIM keys (v=DKIM1 or no v=).
std::vector<std::string> dkim_records(const dns::Answer& answer) {
  std::vector<std::string> out;
  for (const auto& r : answer.records) {
    if (r.type != dns::RrType::txt) continue;
    std::string text = r.text();
    if (text.find("v=") == std::string::npos || text.find("v=DKIM1") != std::string::npos) out.push_back(text);
  }
  return out;
}

}  // namespace

std::string_view to_string(CheckStatus s) {
  switch (s) {
    case CheckStatus::ok: return "ok";
    case CheckStatus::missing: return "missing";
    case CheckStatus::revoked: return "revoked";
    case CheckStatus::mismatch: return "mismatch";
    case CheckStatus::wrong_type: return "wrong key type";
    case CheckStatus::bad_record: return "bad record";
    case CheckStatus::dns_error: return "DNS error";
  }
  return "unknown";
}

KeyCheck compare_record(std::string name, const dns::Answer& answer, const PrivateKey& key) {
  KeyCheck c{std::move(name)};
  auto fail = [&](CheckStatus s, std::string detail) {
    c.status = s;
    c.detail = std::move(detail);
    return c;
  };
  std::string publish = fmt::format("publish the record that `postseal keygen` printed ({}.txt)", c.name.substr(0, c.name.find('.')));
  if (answer.temporary()) return fail(CheckStatus::dns_error, fmt::format("lookup failed: {}", dns::to_string(answer.rcode)));
  auto records = dkim_records(answer);
  if (records.empty()) return fail(CheckStatus::missing, "no DKIM key record; " + publish);
  if (records.size() > 1) return fail(CheckStatus::bad_record, fmt::format("{} DKIM key records; keep exactly one", records.size()));
  auto tags = split_tags(records[0]);
  if (!tags) return fail(CheckStatus::bad_record, fmt::format("unreadable record \"{}\"", printable(records[0], 80)));
  auto p = tag(*tags, "p");
  if (!p) return fail(CheckStatus::bad_record, "record has no p= tag; " + publish);
  if (p->empty()) return fail(CheckStatus::revoked, "p= is empty (key revoked); publish a new key or remove this selector from the config");
  std::string k = tag(*tags, "k").value_or("rsa");
  if (k != to_string(key.type())) {
    return fail(CheckStatus::wrong_type, fmt::format("record has k={} but the key file is {}", printable(k, 20), to_string(key.type())));
  }
  if (*p != key.public_key_base64()) {
    return fail(CheckStatus::mismatch, "published p= is not this key's public key; " + publish);
  }
  return c;
}

asio::awaitable<KeyCheck> check_key(dns::Resolver& resolver, std::string domain, std::string selector,
                                    std::shared_ptr<const PrivateKey> key) {
  std::string name = fmt::format("{}._domainkey.{}", selector, domain);
  dns::Answer answer = co_await resolver.lookup(name, dns::RrType::txt);
  co_return compare_record(name, answer, *key);
}

}  // namespace postseal::keys
