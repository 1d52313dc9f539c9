// dkim_key_record_fuzz.cpp - fuzz the DKIM key record parser (RFC 6376 3.6.1, RFC 8463 4) and
// the key cache in front of it. Input: arbitrary TXT text. Checks: no crash, no UB, no leak;
// a parsed record always carries a usable key of the kind k= names.
#include "core/dkim/key_cache.hpp"
#include "core/dkim/key_record.hpp"

#include <openssl/evp.h>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static postseal::dkim::KeyCache cache(8);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto record = postseal::dkim::parse_key_record(text);
  if (record) {
    int id = EVP_PKEY_get_base_id(record->key.get());
    bool rsa = record->k == postseal::dkim::KeyKind::rsa;
    if (!record->key || (rsa && id != EVP_PKEY_RSA) || (!rsa && id != EVP_PKEY_ED25519)) {
      std::abort();
    }
  } else if (record.error().reason.empty()) {
    std::abort();
  }
  auto cached = cache.get(text);
  if (cached->has_value() != record.has_value() || cache.size() > cache.capacity()) std::abort();
  return 0;
}
