// key_record.cpp - DKIM key record parsing, RFC 6376 3.6.1 / RFC 8463 4 (see key_record.hpp).
#include "signer/dkim/key_record.hpp"

#include "signer/dkim/signature.hpp"
#include "signer/dkim/tag_list.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

namespace postseal::dkim {

namespace {

std::unexpected<KeyRecordError> error(std::string reason) {
  return std::unexpected(KeyRecordError{Result::permerror, std::move(reason)});
}

std::string_view trim_fws(std::string_view v) {
  auto is_fws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!v.empty() && is_fws(v.front())) v.remove_prefix(1);
  while (!v.empty() && is_fws(v.back())) v.remove_suffix(1);
  return v;
}

// list_has - a colon-separated list (h=, s=) contains `item`.
bool list_has(std::string_view list, std::string_view item) {
  std::size_t start = 0;
  while (true) {
    auto colon = list.find(':', start);
    auto entry = trim_fws(list.substr(start, colon == std::string_view::npos ? list.npos
                                                                             : colon - start));
    if (entry == item) return true;
    if (colon == std::string_view::npos) return false;
    start = colon + 1;
  }
}

std::shared_ptr<EVP_PKEY> wrap(EVP_PKEY* key) { return {key, EVP_PKEY_free}; }

// decode_rsa - SubjectPublicKeyInfo (what everyone publishes) or PKCS#1 RSAPublicKey.
std::shared_ptr<EVP_PKEY> decode_rsa(const std::string& der) {
  auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (key != nullptr && p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    EVP_PKEY_free(key);
    return nullptr;
  }
  if (key == nullptr) {
    p = reinterpret_cast<const unsigned char*>(der.data());
    key = d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size()));
  }
  ERR_clear_error();  // the failed attempt leaves entries behind
  if (key == nullptr) return nullptr;
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
    EVP_PKEY_free(key);
    return nullptr;
  }
  return wrap(key);
}

std::shared_ptr<EVP_PKEY> decode_ed25519(const std::string& raw) {
  if (raw.size() != 32) return nullptr;
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  ERR_clear_error();
  return key == nullptr ? nullptr : wrap(key);
}

std::optional<KeyRecordError> parse_public_key(std::string_view p, KeyRecord& record) {
  std::string text = strip_fws(p);
  if (text.empty()) return KeyRecordError{Result::permerror, "key revoked"};
  auto der = decode_base64(text);
  if (!der) return KeyRecordError{Result::permerror, "bad base64 in key p="};
  record.key = record.k == KeyKind::rsa ? decode_rsa(*der) : decode_ed25519(*der);
  if (!record.key) return KeyRecordError{Result::permerror, "key p= is not a valid public key"};
  record.bits = EVP_PKEY_get_bits(record.key.get());
  if (record.k == KeyKind::rsa && record.bits > kMaxRsaBits) {
    return KeyRecordError{Result::permerror, "key too long"};
  }
  return std::nullopt;
}

std::optional<KeyRecordError> parse_kind(const TagList& tags, KeyRecord& record) {
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
  auto tags = parse_tag_list(text);
  if (!tags) {
    if (tags.error() == TagListError::duplicate_tag) return error("duplicate tag in key record");
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

}  // namespace postseal::dkim
