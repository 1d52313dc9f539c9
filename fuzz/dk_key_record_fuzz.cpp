// dk_key_record_fuzz.cpp - DomainKeys key records (RFC 4870 3.2.3) from DNS: tag parsing,
// g= matching, base64 and DER public key decoding.
#include "core/crypto/base64.hpp"
#include "core/crypto/public_key.hpp"
#include "core/domainkeys/dk_crypto.hpp"
#include "core/domainkeys/dk_key_record.hpp"

#include <cstdint>
#include <string_view>

using namespace postseal::domainkeys;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto rec = parse_key_record(in);
  if (rec) {
    (void)granularity_matches(rec->g, "local.part");
    if (auto der = postseal::crypto::base64_decode(rec->p, kMaxBase64Octets)) {
      if (auto key = postseal::crypto::parse_rsa_public_key(*der)) (void)key_bits(key->get());
    }
  }
  if (auto der = postseal::crypto::base64_decode(in, kMaxBase64Octets)) {
    (void)postseal::crypto::parse_rsa_public_key(*der);
  }
  (void)postseal::crypto::parse_rsa_public_key(in);
  return 0;
}
