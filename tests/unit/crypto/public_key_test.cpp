// public_key_test.cpp - the one public key parser of DKIM and DomainKeys p= values: SPKI and
// PKCS#1 RSA, raw Ed25519, trailing octets refused, and the RSA public exponent bound (odd,
// 3 ..= kMaxRsaPublicExponent) with a real 3072-bit key whose exponent has 3069 bits.
#include "core/crypto/base64.hpp"
#include "core/crypto/public_key.hpp"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>

namespace postseal::crypto {
namespace {

std::string read(const std::string& name) {
  std::ifstream in(std::string(POSTSEAL_TEST_DATA) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string der_of(const std::string& b64_file) {
  return base64_decode(read(b64_file), 64 * 1024).value_or("");
}

using Pkey = std::shared_ptr<EVP_PKEY>;

Pkey private_key(const std::string& pem_file) {
  std::string pem = read(pem_file);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  return Pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
}

// spki_with_exponent - SubjectPublicKeyInfo DER of `key`'s modulus with exponent `e`.
std::string spki_with_exponent(const Pkey& key, BN_ULONG e) {
  BIGNUM* n = nullptr;
  EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N, &n);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> exponent(BN_new(), BN_free);
  BN_set_word(exponent.get(), e);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, exponent.get());
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  EVP_PKEY* pub = nullptr;
  EVP_PKEY_fromdata_init(ctx);
  EVP_PKEY_fromdata(ctx, &pub, EVP_PKEY_PUBLIC_KEY, params);
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(pub, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len > 0 ? len : 0));
  OPENSSL_free(der);
  EVP_PKEY_free(pub);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(n);
  return out;
}

std::string sign_sha256(const Pkey& key, std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get());
  std::size_t len = 0;
  auto* in = reinterpret_cast<const unsigned char*>(data.data());
  EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, data.size());
  sig.resize(len);
  return sig;
}

bool verifies(EVP_PKEY* key, std::string_view data, std::string_view sig) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key);
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

TEST(PublicKey, HugeExponentOfARealKeyIsRefused) {
  std::string der = der_of("crypto/rsa3072-huge-e.pub.b64");
  ASSERT_FALSE(der.empty());
  // the key is real: OpenSSL itself verifies a signature of the private key under it
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  Pkey raw(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())), EVP_PKEY_free);
  ASSERT_TRUE(raw);
  Pkey priv = private_key("dkim/verify/rsa3072.pem");
  ASSERT_TRUE(priv);
  std::string sig = sign_sha256(priv, "header hash input");
  EXPECT_TRUE(verifies(raw.get(), "header hash input", sig));
  // and the parser refuses it before any RSA operation
  auto key = parse_rsa_public_key(der);
  ASSERT_FALSE(key.has_value());
  EXPECT_EQ(key.error(), PublicKeyError::unsupported_exponent);
  EXPECT_EQ(to_string(key.error()), "unsupported RSA public exponent");
}

TEST(PublicKey, ExponentBoundsHold) {
  Pkey priv = private_key("domainkeys/rsa1024.pem");
  ASSERT_TRUE(priv);
  struct Case {
    BN_ULONG e;
    bool ok;
  } cases[] = {
      {65537, true},
      {3, true},
      {kMaxRsaPublicExponent - 1, true},   // 2^32 - 1: odd, within the bound
      {kMaxRsaPublicExponent + 1, false},  // odd, above the bound
      {kMaxRsaPublicExponent, false},      // even
      {65538, false},                      // even
      {1, false},                          // below 3
  };
  for (const auto& c : cases) {
    auto key = parse_rsa_public_key(spki_with_exponent(priv, c.e));
    EXPECT_EQ(key.has_value(), c.ok) << c.e;
    if (!c.ok && !key) {
      EXPECT_EQ(key.error(), PublicKeyError::unsupported_exponent) << c.e;
    }
  }
}

TEST(PublicKey, SpkiAndPkcs1AndNothingElse) {
  std::string spki = der_of("domainkeys/rsa1024.pub.b64");
  std::string pkcs1 = der_of("domainkeys/rsa1024.pkcs1.b64");
  ASSERT_FALSE(spki.empty());
  ASSERT_FALSE(pkcs1.empty());
  EXPECT_TRUE(parse_rsa_public_key(spki).has_value());
  EXPECT_TRUE(parse_rsa_public_key(pkcs1).has_value());
  EXPECT_EQ(parse_rsa_public_key(spki + "x").error(), PublicKeyError::not_a_key);  // trailing
  EXPECT_EQ(parse_rsa_public_key(pkcs1 + "x").error(), PublicKeyError::not_a_key);
  EXPECT_EQ(parse_rsa_public_key("junk").error(), PublicKeyError::not_a_key);
  EXPECT_EQ(parse_rsa_public_key("").error(), PublicKeyError::not_a_key);
}

TEST(PublicKey, Ed25519IsRaw32Octets) {
  EXPECT_TRUE(parse_ed25519_public_key(std::string(kEd25519PublicKeyOctets, '\x11')).has_value());
  EXPECT_FALSE(parse_ed25519_public_key(std::string(31, '\x11')).has_value());
  EXPECT_FALSE(parse_ed25519_public_key(std::string(33, '\x11')).has_value());
  EXPECT_FALSE(parse_ed25519_public_key(der_of("domainkeys/rsa1024.pub.b64")).has_value());
}

}  // namespace
}  // namespace postseal::crypto
