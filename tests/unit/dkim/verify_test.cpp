// verify_test.cpp - MessageVerifier against docs/security.md 21-28, with FixedClock and MemoryZone.
//
// Messages are signed here by a small test signer (relaxed header canonicalization, written
// independently of the verifier: last instance of each h= name, signature field with an
// empty b=) so each case can set exactly the tags it needs (l=, t=, x=, rsa-sha1, ...).
#include "core/dkim/canonicalize.hpp"
#include "core/dkim/header_hash.hpp"
#include "core/dkim/message_verifier.hpp"
#include "core/dkim/signature.hpp"
#include "core/dns/memory_zone.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <fstream>
#include <memory>
#include <string>

namespace postseal::dkim {
namespace {

constexpr std::int64_t kNow = 1700000000;

std::string b64(std::string_view octets) {
  std::string out(4 * ((octets.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(octets.data()),
                          static_cast<int>(octets.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// TestKey - a generated key pair and its DNS record.
struct TestKey {
  std::shared_ptr<EVP_PKEY> pkey;
  std::string record;
};

TestKey record_for(std::shared_ptr<EVP_PKEY> key) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key.get(), &der);
  std::string p(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return {key, "v=DKIM1; k=rsa; p=" + b64(p)};
}

TestKey make_rsa(int bits) {
  return record_for(std::shared_ptr<EVP_PKEY>(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)), EVP_PKEY_free));
}

TestKey make_ed25519() {
  std::shared_ptr<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), EVP_PKEY_free);
  unsigned char raw[32];
  size_t len = sizeof raw;
  EVP_PKEY_get_raw_public_key(key.get(), raw, &len);
  return {key, "v=DKIM1; k=ed25519; p=" + b64(std::string(reinterpret_cast<char*>(raw), len))};
}

const TestKey& rsa1024() { static TestKey k = make_rsa(1024); return k; }
const TestKey& rsa512() { static TestKey k = make_rsa(512); return k; }
// rsa3072 - a fixed key from tests/data (generating one costs seconds on a busy CI machine).
const TestKey& rsa3072() {
  static TestKey k = [] {
    std::string path = std::string(POSTSEAL_TEST_DATA) + "/dkim/verify/rsa3072.pem";
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(path.c_str(), "r"), BIO_free);
    EXPECT_TRUE(bio) << path;
    std::shared_ptr<EVP_PKEY> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr),
                                  EVP_PKEY_free);
    EXPECT_TRUE(key) << path;
    return record_for(key);
  }();
  return k;
}
const TestKey& ed25519() { static TestKey k = make_ed25519(); return k; }

std::vector<mail::HeaderField> fields_of(std::string block) {
  auto parsed = mail::parse_header_block(block);
  EXPECT_TRUE(parsed.has_value());
  return parsed ? *parsed : std::vector<mail::HeaderField>{};
}

const std::string kHeaders =
    "From: Joe <joe@example.com>\r\nTo: sue@example.net\r\nSubject: dinner\r\n"
    "Date: Fri, 11 Jul 2003 21:00:37 -0700\r\n";
const std::string kBody = "Hi.\r\n\r\nWe lost the game.\r\n";

// sign - a DKIM-Signature field (with CRLF) over headers+body: `tags` holds every tag but bh=
// and b=; c= is relaxed/relaxed unless `body_canon` says otherwise.
std::string sign(const TestKey& key, const std::string& tags, const std::string& headers,
                 const std::string& body, std::optional<std::uint64_t> l = std::nullopt,
                 Canon body_canon = Canon::relaxed) {
  BodyHasher hasher(body_canon, EVP_sha256(), l);
  hasher.update(body);
  std::string field = "DKIM-Signature: " + tags + "; bh=" + b64(hasher.finish()) + "; b=";
  auto parsed = parse_signature(field.substr(16) + "AAAA");
  EXPECT_TRUE(parsed.has_value()) << (parsed ? "" : parsed.error());
  std::string data;
  auto fields = fields_of(headers);
  std::vector<bool> used(fields.size(), false);
  for (const auto& name : parsed->h) {  // bottom-up, each instance once, absent: nothing
    for (std::size_t n = fields.size(); n-- > 0;) {
      if (used[n] || !fields[n].is(name)) continue;
      data += canonicalize_header(Canon::relaxed, fields[n].raw);
      used[n] = true;
      break;
    }
  }
  std::string own = canonicalize_header(Canon::relaxed, field);
  data += own.substr(0, own.size() - 2);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string input = data;
  const EVP_MD* md = EVP_sha256();
  if (parsed->a == Algorithm::ed25519_sha256) {
    unsigned char digest[32];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
    input.assign(reinterpret_cast<char*>(digest), 32);
    md = nullptr;
  } else if (parsed->a == Algorithm::rsa_sha1) {
    md = EVP_sha1();
  }
  EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key.pkey.get());
  std::size_t len = 0;
  auto* in = reinterpret_cast<const unsigned char*>(input.data());
  EVP_DigestSign(ctx.get(), nullptr, &len, in, input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, input.size());
  sig.resize(len);
  return field + b64(sig) + "\r\n";
}

std::vector<SignatureResult> verify(const std::string& headers, const std::string& body,
                                    dns::Resolver& zone, std::int64_t now = kNow,
                                    VerifyOptions options = {}, std::size_t split = 0) {
  FixedClock clock(now);
  KeyCache cache;
  options.key_cache = &cache;
  MessageVerifier verifier(options, clock);
  verifier.headers(fields_of(headers));
  if (split == 0) {
    verifier.body(body);
  } else {
    for (std::size_t at = 0; at < body.size(); at += split) verifier.body(body.substr(at, split));
  }
  asio::io_context io;
  std::vector<SignatureResult> results;
  asio::co_spawn(io, verifier.finish(zone),
                 [&](std::exception_ptr, std::vector<SignatureResult> r) { results = std::move(r); });
  io.run();
  return results;
}

dns::Record txt(const std::string& text) {
  dns::Record r;
  r.type = dns::RrType::txt;
  for (std::size_t at = 0; at < text.size(); at += 255) r.strings.push_back(text.substr(at, 255));
  return r;
}

// huge_exponent_p - rsa3072's modulus with a 3069-bit exponent (a real key; see
// tests/data/crypto/README.md).
std::string huge_exponent_p() {
  std::ifstream in(std::string(POSTSEAL_TEST_DATA) + "/crypto/rsa3072-huge-e.pub.b64");
  std::string line;
  std::getline(in, line);
  EXPECT_FALSE(line.empty());
  return line;
}

dns::MemoryZone& zone() {
  static dns::MemoryZone* z = [] {
    auto* zone = new dns::MemoryZone;
    zone->add("rsa._domainkey.example.com", txt(rsa1024().record));
    zone->add("ed._domainkey.example.com", txt(ed25519().record));
    zone->add("short._domainkey.example.com", txt(rsa512().record));
    zone->add("revoked._domainkey.example.com", txt("v=DKIM1; k=rsa; p="));
    zone->add("huge-e._domainkey.example.com", txt("v=DKIM1; k=rsa; p=" + huge_exponent_p()));
    zone->add("unknownk._domainkey.example.com", txt("v=DKIM1; k=dsa; p=AAAA"));
    zone->add("slow._domainkey.example.com", dns::Record{dns::RrType::a, {}, {}, 0, {}});
    zone->add_timeout("slow._domainkey.example.com");
    zone->add("nodata._domainkey.example.com", dns::Record{dns::RrType::a, {}, {}, 0, {}});
    dns::Record loop;
    loop.type = dns::RrType::cname;
    loop.name = "loop._domainkey.example.com";
    zone->add("loop._domainkey.example.com", loop);  // CNAME loop: SERVFAIL
    return zone;
  }();
  return *z;
}

const std::string kRsaTags = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=rsa; h=from:to:subject";

struct Case {
  std::string name;
  std::string headers;  // full header block, signature included
  std::string body;
  Result want;
  std::string want_reason;  // "" for pass
  std::int64_t now = kNow;
};

void run_cases(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    auto got = verify(c.headers, c.body, zone(), c.now);
    ASSERT_EQ(got.size(), 1u) << c.name;
    EXPECT_EQ(to_string(got[0].result), to_string(c.want)) << c.name << ": " << got[0].reason;
    EXPECT_EQ(got[0].reason, c.want_reason) << c.name;
  }
}

TEST(Verify, GoodSignaturesPass) {
  const std::string ed_tags =
      "v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.com; s=ed; h=from:to:subject";
  run_cases({
      {"rsa", sign(rsa1024(), kRsaTags, kHeaders, kBody) + kHeaders, kBody, Result::pass, ""},
      {"ed25519", sign(ed25519(), ed_tags, kHeaders, kBody) + kHeaders, kBody, Result::pass, ""},
      {"oversigned", sign(rsa1024(), kRsaTags + ":subject:cc", kHeaders, kBody) + kHeaders, kBody,
       Result::pass, ""},
      {"empty body", sign(rsa1024(), kRsaTags, kHeaders, "") + kHeaders, "", Result::pass, ""},
  });
}

// docs/security.md 28: a key record over 512 octets (several TXT strings) is joined and verified.
TEST(Verify, LongKeyRecord) {
  dns::MemoryZone long_zone;
  dns::Record record = txt(rsa3072().record);
  ASSERT_GT(rsa3072().record.size(), 512u);
  ASSERT_GT(record.strings.size(), 2u);
  long_zone.add("long._domainkey.example.com", record);
  std::string msg = sign(rsa3072(), "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=long; h=from",
                         kHeaders, kBody) + kHeaders;
  auto got = verify(msg, kBody, long_zone);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].result, Result::pass) << got[0].reason;
}

TEST(Verify, TamperingFails) {
  std::string sig = sign(rsa1024(), kRsaTags + ":subject", kHeaders, kBody);
  std::string changed_subject = kHeaders;
  changed_subject.replace(changed_subject.find("dinner"), 6, "lunch!");
  run_cases({
      {"body changed", sig + kHeaders, kBody + "P.S.\r\n", Result::fail, "body hash mismatch"},
      {"header changed", sig + changed_subject, kBody, Result::fail, "signature did not verify"},
      // Oversigned Subject: a second Subject added above breaks the signature (RFC 6376 5.4.2).
      {"subject added", sig + "Subject: free money\r\n" + kHeaders, kBody, Result::fail,
       "signature did not verify"},
  });
}

TEST(Verify, ChunkedBodyEqualsOnePass) {
  std::string body = "line one  \t\r\n\r\n.dot\r\n" + std::string(300, 'x') + "\r\n\r\n\r\n";
  std::string msg = sign(rsa1024(), kRsaTags, kHeaders, body) + kHeaders;
  for (std::size_t split = 1; split <= 40; ++split) {
    auto got = verify(msg, body, zone(), kNow, {}, split);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].result, Result::pass) << "split " << split << ": " << got[0].reason;
  }
}

// docs/security.md 21: l= shorter than the body with content appended -> never a plain pass.
TEST(Verify, BodyLengthLimit) {
  std::uint64_t signed_length = kBody.size();
  std::string tags = kRsaTags + "; l=" + std::to_string(signed_length);
  std::string msg = sign(rsa1024(), tags, kHeaders, kBody, signed_length) + kHeaders;
  std::string appended = kBody + "Click here: http://evil.example/\r\n";
  std::string long_l = kRsaTags + "; l=" + std::to_string(signed_length + 100);
  run_cases({
      {"l= covers the body", msg, kBody, Result::pass, ""},
      {"content appended", msg, appended, Result::policy,
       "l= covers only " + std::to_string(signed_length) + " of " +
           std::to_string(appended.size()) + " body octets"},
      {"l= longer than body", sign(rsa1024(), long_l, kHeaders, kBody, signed_length + 100) + kHeaders,
       kBody, Result::fail, "body shorter than l="},
  });
}

// docs/security.md 22: From not signed, duplicate tags, missing tags, bad base64.
TEST(Verify, MalformedSignaturesArePermerrors) {
  std::string good = sign(rsa1024(), kRsaTags, kHeaders, kBody);
  std::string bad_b64 = good;
  bad_b64.insert(bad_b64.size() - 2, "!");
  run_cases({
      {"no from in h", "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=rsa; h=to:subject; bh=AAAA; b=AAAA\r\n" +
                           kHeaders,
       kBody, Result::permerror, "From not signed"},
      {"duplicate tag", "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; d=example.com; s=rsa; h=from; bh=AAAA; b=AAAA\r\n" +
                            kHeaders,
       kBody, Result::permerror, "duplicate tag"},
      {"missing bh", "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=rsa; h=from; b=AAAA\r\n" + kHeaders,
       kBody, Result::permerror, "missing required tag bh="},
      {"bad base64", bad_b64 + kHeaders, kBody, Result::permerror, "bad base64 in b="},
  });
}

// docs/security.md 23: timestamps.
TEST(Verify, Timestamps) {
  auto with = [](const std::string& extra) {
    return sign(rsa1024(), kRsaTags + extra, kHeaders, kBody) + kHeaders;
  };
  run_cases({
      {"t now", with("; t=" + std::to_string(kNow)), kBody, Result::pass, ""},
      {"t within skew", with("; t=" + std::to_string(kNow + 299)), kBody, Result::pass, ""},
      {"t in the future", with("; t=" + std::to_string(kNow + 3600)), kBody, Result::permerror,
       "signature timestamp in the future"},
      {"12-digit t", with("; t=999999999999"), kBody, Result::permerror,
       "signature timestamp in the future"},
      {"12-digit x", with("; t=1600000000; x=999999999999"), kBody, Result::pass, ""},
      {"x in the past", with("; t=1600000000; x=1600000100"), kBody, Result::fail, "signature expired"},
      {"x within skew", with("; x=" + std::to_string(kNow - 200)), kBody, Result::pass, ""},
      {"x before t",
       "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=rsa; h=from; t=20; x=10; bh=AAAA; b=AAAA\r\n" +
           kHeaders,
       kBody, Result::permerror, "x= before t="},
  });
}

// docs/security.md 24: weak crypto and unusable keys.
TEST(Verify, WeakOrUnusableKeys) {
  run_cases({
      {"512-bit key", sign(rsa512(), "v=1; a=rsa-sha256; d=example.com; s=short; h=from", kHeaders, kBody) + kHeaders,
       kBody, Result::fail, "key too short (512 bits)"},
      {"rsa-sha1", sign(rsa1024(), "v=1; a=rsa-sha1; d=example.com; s=rsa; h=from", kHeaders, kBody) + kHeaders,
       kBody, Result::fail, "rsa-sha1 not accepted"},
      {"revoked", sign(rsa1024(), "v=1; a=rsa-sha256; d=example.com; s=revoked; h=from", kHeaders, kBody) + kHeaders,
       kBody, Result::permerror, "key revoked"},
      {"unknown k", sign(rsa1024(), "v=1; a=rsa-sha256; d=example.com; s=unknownk; h=from", kHeaders, kBody) +
                        kHeaders,
       kBody, Result::permerror, "unknown key type k="},
      {"key type mismatch", sign(rsa1024(), "v=1; a=ed25519-sha256; d=example.com; s=rsa; h=from", kHeaders, kBody) +
                                kHeaders,
       kBody, Result::permerror, "key type does not match a="},
      // a signature that verifies under the key, ~170 times dearer: refused before RSA runs
      {"huge exponent", sign(rsa3072(), "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=huge-e; h=from", kHeaders, kBody) +
                            kHeaders,
       kBody, Result::permerror, "unsupported RSA public exponent"},
  });
}

// RFC 6376 6.1.2 / 6.1.3: the step a failed signature did not pass, as RFC 6591 reports tell
// them apart (bodyhash, revoked, signature); any other failure is Failure::none.
TEST(Verify, FailureNamesTheCheck) {
  std::string sig = sign(rsa1024(), kRsaTags + ":subject", kHeaders, kBody);
  std::string changed_subject = kHeaders;
  changed_subject.replace(changed_subject.find("dinner"), 6, "lunch!");
  const std::string long_l = kRsaTags + "; l=" + std::to_string(kBody.size() + 100);
  struct FailureCase {
    std::string name, headers, body;
    Failure want;
  };
  const FailureCase cases[] = {
      {"pass", sig + kHeaders, kBody, Failure::none},
      {"body changed", sig + kHeaders, kBody + "P.S.\r\n", Failure::body_hash},
      {"l= longer than body", sign(rsa1024(), long_l, kHeaders, kBody, kBody.size() + 100) + kHeaders, kBody,
       Failure::body_hash},
      {"header changed", sig + changed_subject, kBody, Failure::signature},
      {"revoked", sign(rsa1024(), "v=1; a=rsa-sha256; d=example.com; s=revoked; h=from", kHeaders, kBody) + kHeaders,
       kBody, Failure::key_revoked},
      {"expired", sign(rsa1024(), kRsaTags + "; t=1600000000; x=1600000100", kHeaders, kBody) + kHeaders, kBody,
       Failure::none},
      {"512-bit key", sign(rsa512(), "v=1; a=rsa-sha256; d=example.com; s=short; h=from", kHeaders, kBody) + kHeaders,
       kBody, Failure::none},
      {"no key", sign(rsa1024(), "v=1; a=rsa-sha256; d=example.com; s=nodata; h=from", kHeaders, kBody) + kHeaders,
       kBody, Failure::none},
      {"malformed", "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=rsa; h=from; b=AAAA\r\n" + kHeaders, kBody,
       Failure::none},
  };
  for (const auto& c : cases) {
    auto got = verify(c.headers, c.body, zone());
    ASSERT_EQ(got.size(), 1u) << c.name;
    EXPECT_EQ(static_cast<int>(got[0].failure), static_cast<int>(c.want)) << c.name << ": " << got[0].reason;
  }
}

// docs/security.md 25: s=/d= with NUL, ';' or non-hostname characters -> permerror, no DNS query.
TEST(Verify, BadNamesNeverReachDns) {
  const std::vector<std::string> values = {
      "d=exa" + std::string(1, '\0') + "mple.com; s=rsa", "d=example.com; s=r\"sa",
      "d=legitimate.com(.attacker.com; s=rsa",          "d=example.com; s=rsa._domainkey.evil.com.",
      "d=example.com; s=a b",                            "d=example.com; s=rsa;x",
  };
  for (const auto& v : values) {
    zone().clear_queries();
    std::string headers = "DKIM-Signature: v=1; a=rsa-sha256; " + v + "; h=from; bh=AAAA; b=AAAA\r\n" + kHeaders;
    auto parsed = mail::parse_header_block(headers);
    if (!parsed) {  // the header parser refuses a NUL by itself: no verification, no query
      EXPECT_EQ(parsed.error(), mail::HeaderError::nul_byte) << v;
      continue;
    }
    auto got = verify(headers, kBody, zone());
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].result, Result::permerror) << v;
    EXPECT_TRUE(zone().queries().empty()) << v;
  }
}

// docs/security.md 26: 50 signatures -> at most max_signatures verified, DNS lookups bounded.
TEST(Verify, SignatureCountLimit) {
  std::string sig = sign(rsa1024(), kRsaTags, kHeaders, kBody);
  std::string headers;
  for (int n = 0; n < 50; ++n) headers += sig;
  headers += kHeaders;
  for (std::size_t limit : {std::size_t{5}, std::size_t{2}}) {
    zone().clear_queries();
    VerifyOptions options;
    options.max_signatures = limit;
    auto got = verify(headers, kBody, zone(), kNow, options);
    ASSERT_EQ(got.size(), 50u);
    std::size_t passed = 0, not_checked = 0;
    for (const auto& r : got) {
      passed += r.result == Result::pass;
      not_checked += r.result == Result::policy &&
                     r.reason == "not checked: more than " + std::to_string(limit) + " signatures";
    }
    EXPECT_EQ(passed, limit);
    EXPECT_EQ(not_checked, 50 - limit);
    EXPECT_EQ(zone().queries().size(), limit);
  }
}

// docs/security.md 27: two From headers -> permerror, even when the signature is otherwise good.
TEST(Verify, TwoFromHeaders) {
  std::string sig = sign(rsa1024(), kRsaTags, kHeaders, kBody);
  run_cases({
      {"second From below", sig + kHeaders + "From: Mallory <m@evil.example>\r\n", kBody,
       Result::permerror, "multiple From headers"},
      {"no From", sig + "To: sue@example.net\r\n", kBody, Result::permerror, "no From header"},
  });
}

// docs/security.md 28: DNS failures.
TEST(Verify, DnsFailures) {
  auto for_selector = [](const std::string& s) {
    return sign(rsa1024(), "v=1; a=rsa-sha256; d=example.com; s=" + s + "; h=from", kHeaders, kBody) + kHeaders;
  };
  run_cases({
      {"timeout", for_selector("slow"), kBody, Result::temperror, "DNS timeout looking up key"},
      {"servfail", for_selector("loop"), kBody, Result::temperror, "DNS SERVFAIL looking up key"},
      {"nxdomain", for_selector("absent"), kBody, Result::permerror, "no key (NXDOMAIN)"},
      {"nodata", for_selector("nodata"), kBody, Result::permerror, "no key (no TXT record)"},
  });
}

TEST(Verify, NoSignaturesGiveNoResults) {
  EXPECT_TRUE(verify(kHeaders, kBody, zone()).empty());
}

TEST(Verify, EmptyBValue) {
  EXPECT_EQ(empty_b_value("DKIM-Signature: v=1; b=abc\r\n def; bh=xyz"), "DKIM-Signature: v=1; b=; bh=xyz");
  EXPECT_EQ(empty_b_value("DKIM-Signature: v=1; bh=xyz;\r\n b = abc"), "DKIM-Signature: v=1; bh=xyz;\r\n b =");
  EXPECT_EQ(empty_b_value("DKIM-Signature: b=abc"), "DKIM-Signature: b=");
}

TEST(Verify, ResultsRenderAsRfc8601) {
  SignatureResult pass{Result::pass, "", "football.example.com", "brisbane", "ed25519-sha256", "", ""};
  EXPECT_EQ(format_result(pass),
            "dkim=pass header.d=football.example.com header.s=brisbane header.a=ed25519-sha256");
  SignatureResult bad{Result::fail, "body (hash)\r\nX-Injected: 1", "a;b", "s", "rsa-sha256", "", ""};
  EXPECT_EQ(format_result(bad), "dkim=fail header.s=s header.a=rsa-sha256 (body ?hash???X-Injected: 1)");
}

}  // namespace
}  // namespace postseal::dkim
