// key_record_test.cpp - DKIM key records (RFC 6376 3.6.1, RFC 8463 4) and the key cache,
// docs/security.md 24 (revoked, unknown k=), with dkimpy's record files as data.
#include "core/dkim/key_cache.hpp"
#include "core/dkim/key_record.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <fstream>
#include <sstream>
#include <string>

namespace postseal::dkim {
namespace {

// RFC 8463 A.2 records.
const std::string kEd25519 = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
const std::string kRsaP =
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16"
    "JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2Ee"
    "C3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";
const std::string kRsa = "v=DKIM1; k=rsa; p=" + kRsaP;

std::string read_data(const std::string& relative) {
  std::ifstream in(std::string(POSTSEAL_TEST_DATA) + "/" + relative, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  std::string text = out.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

TEST(KeyRecord, Rfc8463Keys) {
  auto ed = parse_key_record(kEd25519);
  ASSERT_TRUE(ed.has_value()) << ed.error().reason;
  EXPECT_EQ(ed->k, KeyKind::ed25519);
  EXPECT_NE(ed->key, nullptr);
  auto rsa = parse_key_record(kRsa);
  ASSERT_TRUE(rsa.has_value()) << rsa.error().reason;
  EXPECT_EQ(rsa->k, KeyKind::rsa);
  EXPECT_EQ(rsa->bits, 1024);
  EXPECT_TRUE(rsa->allows_sha256());
  EXPECT_FALSE(rsa->testing());
}

TEST(KeyRecord, OptionalTags) {
  auto r = parse_key_record("v=DKIM1; h=sha1:sha256; s=email; t=y:s; n=notes here; p=" + kRsaP);
  ASSERT_TRUE(r.has_value()) << r.error().reason;
  EXPECT_TRUE(r->allows_sha256());
  EXPECT_TRUE(r->testing());
  EXPECT_TRUE(r->strict());
  auto no_v = parse_key_record("p=" + kRsaP);  // v= and k= are optional
  ASSERT_TRUE(no_v.has_value()) << no_v.error().reason;
  EXPECT_EQ(no_v->k, KeyKind::rsa);
}

TEST(KeyRecord, BadRecordsArePermerrorsWithReason) {
  struct Case {
    std::string name, record, want;
  };
  const std::vector<Case> cases = {
      {"revoked", "v=DKIM1; k=rsa; p=", "key revoked"},
      {"revoked with space", "v=DKIM1; p= ", "key revoked"},
      {"unknown k", "v=DKIM1; k=dsa; p=" + kRsaP, "unknown key type k="},
      {"k names the algorithm", "v=DKIM1; k=ed25519-sha256; p=" + kRsaP, "unknown key type k="},
      {"bad version", "v=DKIM2; p=" + kRsaP, "bad key record version v="},
      {"v not first", "k=rsa; v=DKIM1; p=" + kRsaP, "bad key record version v="},
      {"no p", "v=DKIM1; k=rsa", "key record without p="},
      {"bad base64", "v=DKIM1; p=MIGf!", "bad base64 in key p="},
      {"not a key", "v=DKIM1; p=AAAA", "key p= is not a valid public key"},
      {"rsa key as ed25519", "v=DKIM1; k=ed25519; p=" + kRsaP, "key p= is not a valid public key"},
      {"ed25519 key as rsa", "v=DKIM1; k=rsa; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
       "key p= is not a valid public key"},
      {"not for email", "v=DKIM1; s=tlsrpt; p=" + kRsaP, "key not for email (s=)"},
      {"duplicate", "v=DKIM1; p=" + kRsaP + "; p=" + kRsaP, "duplicate tag in key record"},
      {"too long", "v=DKIM1; n=" + std::string(kMaxKeyRecordOctets, 'x') + "; p=" + kRsaP,
       "key record too long"},
  };
  for (const auto& c : cases) {
    auto got = parse_key_record(c.record);
    ASSERT_FALSE(got.has_value()) << c.name;
    EXPECT_EQ(got.error().result, Result::permerror) << c.name;
    EXPECT_EQ(got.error().reason, c.want) << c.name;
  }
}

TEST(KeyRecord, DkimpyDataFiles) {
  struct Case {
    std::string file;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"dkim/dkimpy-data/test.txt", true},
      {"dkim/dkimpy-data/ed25519test.dns", true},
      {"dkim/dkimpy-data/badk.txt", false},        // k=ed25519-sha256
      {"dkim/dkimpy-data/badversion.txt", false},  // v=DKIM1: (colon, not semicolon)
  };
  for (const auto& c : cases) {
    std::string text = read_data(c.file);
    ASSERT_FALSE(text.empty()) << c.file;
    auto got = parse_key_record(text);
    EXPECT_EQ(got.has_value(), c.ok) << c.file << ": " << (got ? "" : got.error().reason);
  }
  EXPECT_EQ(parse_key_record(read_data("dkim/dkimpy-data/badk.txt")).error().reason,
            "unknown key type k=");
}

TEST(KeyRecord, Pkcs1RsaPublicKeyAccepted) {
  // dkimpy's *.pub.rsa.txt records carry the bare PKCS#1 RSAPublicKey, *.pub.txt the usual
  // SubjectPublicKeyInfo of the same key.
  auto pkcs1 = parse_key_record(read_data("dkim/dkimpy-data/1024_testkey_wo_markers.pub.rsa.txt"));
  auto spki = parse_key_record(read_data("dkim/dkimpy-data/1024_testkey_wo_markers.pub.txt"));
  ASSERT_TRUE(pkcs1.has_value()) << pkcs1.error().reason;
  ASSERT_TRUE(spki.has_value()) << spki.error().reason;
  EXPECT_EQ(pkcs1->bits, 1024);
  EXPECT_EQ(EVP_PKEY_eq(pkcs1->key.get(), spki->key.get()), 1);
}

TEST(KeyCache, ParsesOnceAndStaysBounded) {
  KeyCache cache(2);
  auto a = cache.get(kRsa);
  auto b = cache.get(kRsa);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(cache.parses(), 1u);
  cache.get(kEd25519);
  cache.get("v=DKIM1; p=");
  EXPECT_EQ(cache.size(), 2u);  // the limit holds: kRsa was least recently used and dropped
  cache.get(kRsa);
  EXPECT_EQ(cache.parses(), 4u);
  EXPECT_EQ(cache.capacity(), 2u);
  EXPECT_EQ(KeyCache(0).capacity(), 1u);
  EXPECT_EQ(KeyCache(kMaxKeyCacheEntries + 1).capacity(), kMaxKeyCacheEntries);
  EXPECT_EQ(KeyCache().capacity(), kDefaultKeyCacheEntries);
}

}  // namespace
}  // namespace postseal::dkim
