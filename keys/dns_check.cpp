// dns_check.cpp - is the published DKIM key the one we sign with? (`postseal dns-check`)
//
// RFC 6376 3.6.1, 3.6.2.2; RFC 8463 4. Untrusted input: TXT answers (bounded by
// kMaxCheckedRecordBytes and mail::kMaxTags; shown only through printable()).
#include "keys/dns_check.hpp"

#include "core/dkim/key_record.hpp"
#include "core/mail/tag_list.hpp"
#include "core/util/text.hpp"
#include "keys/txt_record.hpp"

#include <fmt/format.h>

#include <optional>
#include <vector>

namespace postseal::keys {

namespace {

// record_tags - the record's tags (RFC 6376 3.2, the one tag-list parser); nullopt when the
// record is longer than kMaxCheckedRecordBytes or not a tag list.
std::optional<mail::TagList> record_tags(std::string_view text) {
  if (text.size() > kMaxCheckedRecordBytes) return std::nullopt;
  auto tags = mail::parse_tag_list(text);
  if (!tags) return std::nullopt;
  return std::move(*tags);
}

// tag - a tag's value with FWS removed (p= may be folded across strings with spaces).
std::optional<std::string> tag(const mail::TagList& tags, std::string_view name) {
  auto value = tags.get(name);
  if (!value) return std::nullopt;
  return mail::strip_fws(*value);
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

KeyCheck compare_record(std::string name, const dns::Answer& answer, const crypto::PrivateKey& key) {
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
  auto tags = record_tags(records[0]);
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
                                    std::shared_ptr<const crypto::PrivateKey> key) {
  std::string name = dkim::key_name(selector, domain);
  dns::Answer answer = co_await resolver.lookup(name, dns::RrType::txt);
  co_return compare_record(name, answer, *key);
}

}  // namespace postseal::keys
