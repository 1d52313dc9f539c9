// key_record.cpp - DKIM key records, RFC 6376 3.6.1 / RFC 8463 4 (see key_record.hpp).
#include "core/dkim/key_record.hpp"

#include "core/crypto/base64.hpp"
#include "core/crypto/public_key.hpp"
#include "core/mail/tag_list.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

namespace postseal::dkim {

namespace {

std::unexpected<KeyRecordError> error(std::string reason) {
  return std::unexpected(KeyRecordError{Result::permerror, std::move(reason)});
}

using mail::trim_fws;

// list_has - a colon-separated list (h=, s=) contains `item`.
bool list_has(std::string_view list, std::string_view item) {
  for (auto entry : mail::split_colon_list(list)) {
    if (entry == item) return true;
  }
  return false;
}

std::optional<KeyRecordError> parse_public_key(std::string_view p, KeyRecord& record) {
  std::string text = mail::strip_fws(p);
  if (text.empty()) return KeyRecordError{Result::permerror, "key revoked", Failure::key_revoked};
  auto der = crypto::base64_decode(text, kMaxKeyRecordOctets);
  if (!der) return KeyRecordError{Result::permerror, "bad base64 in key p="};
  auto key = record.k == KeyKind::rsa ? crypto::parse_rsa_public_key(*der)
                                      : crypto::parse_ed25519_public_key(*der);
  if (!key && key.error() == crypto::PublicKeyError::unsupported_exponent) {
    return KeyRecordError{Result::permerror, std::string(crypto::to_string(key.error()))};
  }
  if (!key) return KeyRecordError{Result::permerror, "key p= is not a valid public key"};
  record.key = std::move(*key);
  record.bits = EVP_PKEY_get_bits(record.key.get());
  if (record.k == KeyKind::rsa && record.bits > kMaxRsaBits) {
    return KeyRecordError{Result::permerror, "key too long"};
  }
  record.contexts = std::make_shared<const crypto::KeyContexts>(record.key.get());
  return std::nullopt;
}

std::optional<KeyRecordError> parse_kind(const mail::TagList& tags, KeyRecord& record) {
  auto k = tags.get("k");
  if (!k) return std::nullopt;
  auto kind = trim_fws(*k);
  if (kind == "rsa") {
    record.k = KeyKind::rsa;
  } else if (kind == "ed25519") {
    record.k = KeyKind::ed25519;
  } else {
    return KeyRecordError{Result::permerror, "unknown key type k="};
  }
  return std::nullopt;
}

}  // namespace

bool KeyRecord::allows_sha256() const { return h.empty() || list_has(h, "sha256"); }
bool KeyRecord::testing() const { return list_has(t, "y"); }
bool KeyRecord::strict() const { return list_has(t, "s"); }

std::expected<KeyRecord, KeyRecordError> parse_key_record(std::string_view text) {
  if (text.size() > kMaxKeyRecordOctets) return error("key record too long");
  auto tags = mail::parse_tag_list(text);
  if (!tags) {
    if (tags.error() == mail::TagListError::duplicate_tag) return error("duplicate tag in key record");
    return error("malformed key record");
  }
  KeyRecord record;
  if (auto v = tags->get("v")) {
    if (trim_fws(*v) != "DKIM1" || tags->tags.front().first != "v") {
      return error("bad key record version v=");
    }
  }
  if (auto e = parse_kind(*tags, record)) return std::unexpected(*e);
  if (auto h = tags->get("h")) record.h = trim_fws(*h);
  if (auto n = tags->get("n")) record.n = *n;
  if (auto s = tags->get("s")) record.s = trim_fws(*s);
  if (auto t = tags->get("t")) record.t = trim_fws(*t);
  if (!list_has(record.s, "*") && !list_has(record.s, "email")) {
    return error("key not for email (s=)");
  }
  auto p = tags->get("p");
  if (!p) return error("key record without p=");
  if (auto e = parse_public_key(*p, record)) return std::unexpected(*e);
  return record;
}

std::string key_name(std::string_view selector, std::string_view domain) {
  return fmt::format("{}._domainkey.{}", selector, domain);
}

std::string key_lookup_failure(const dns::Answer& answer) {
  switch (answer.rcode) {
    case dns::Rcode::timeout: return "DNS timeout looking up key";
    case dns::Rcode::servfail: return "DNS SERVFAIL looking up key";
    case dns::Rcode::nxdomain: return "no key (NXDOMAIN)";
    case dns::Rcode::noerror: break;
  }
  return "no key (no TXT record)";
}

std::string_view to_string(KeyKind k) { return k == KeyKind::rsa ? "rsa" : "ed25519"; }

std::string render_key_record(KeyKind k, std::string_view p) {
  return fmt::format("v=DKIM1; k={}; p={}", to_string(k), p);
}

}  // namespace postseal::dkim
