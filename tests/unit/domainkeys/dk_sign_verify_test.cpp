// dk_sign_verify_test.cpp - DkSigner and DkVerifier end to end with a MemoryZone: both
// canonicalizations, tampering, the Sender/From rules, key records (revoked, testing, short,
// missing, DNS failures), headers added after signing, and the limits.
#include "core/crypto/base64.hpp"
#include "core/domainkeys/dk_crypto.hpp"
#include "core/domainkeys/dk_signature.hpp"
#include "dk_test_util.hpp"

#include <gtest/gtest.h>

namespace postseal::domainkeys {
namespace {

using test::Message;
using dkim::Result;

const std::string kKeyName = "sel._domainkey.example.com";

struct Signed {
  Message message;  // with the DomainKey-Signature prepended to fields
  std::string field;
};

Signed sign_basic(DkSignOptions options, const std::string& text = test::kBasicMessage,
                  bool stream = true) {
  Message m = test::split_message(text);
  auto field = test::sign(m, options, "example.com", "sel", stream);
  EXPECT_TRUE(field.has_value()) << (field ? "" : field.error());
  Signed s{m, field.value_or("")};
  s.message.fields = test::prepend(s.field, m.fields);
  return s;
}

std::unique_ptr<dns::MemoryZone> zone_with(const std::string& record) {
  auto zone = std::make_unique<dns::MemoryZone>();
  test::add_txt(*zone, kKeyName, record);
  return zone;
}

std::string good_record() { return "k=rsa; p=" + test::test_public_key(); }

TEST(DkSignVerify, BothCanonicalizationsPassWithAndWithoutH) {
  auto zone_ptr = zone_with(good_record());
  auto& zone = *zone_ptr;
  for (DkCanon canon : {DkCanon::nofws, DkCanon::simple}) {
    for (bool list : {true, false}) {
      Signed s = sign_basic({canon, list});
      EXPECT_EQ(s.field.find("h=") != std::string::npos, list);
      EXPECT_NE(s.field.find(std::string("c=") + std::string(to_string(canon))), std::string::npos);
      auto r = test::verify(s.message.fields, s.message.body, zone);
      ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->result, Result::pass) << to_string(canon) << " h=" << list << " " << r->reason;
      EXPECT_EQ(r->d, "example.com");
      EXPECT_EQ(r->s, "sel");
      EXPECT_EQ(r->identity, "alice@example.com");
      EXPECT_EQ(r->identity_field, "from");
      EXPECT_FALSE(r->b.empty());
      EXPECT_EQ(format_result(*r), "domainkeys=pass header.d=example.com "
                                   "header.from=alice@example.com header.b=\"" +
                                       r->b.substr(0, kHeaderBOctets) + "\"");
    }
  }
}

TEST(DkSignVerify, StreamedHeadersEqualBufferedBody) {
  for (DkCanon canon : {DkCanon::nofws, DkCanon::simple}) {
    EXPECT_EQ(sign_basic({canon, true}, test::kBasicMessage, true).field,
              sign_basic({canon, true}, test::kBasicMessage, false).field);
  }
}

TEST(DkSignVerify, VerifierChunkingDoesNotMatter) {
  auto zone_ptr = zone_with(good_record());
  auto& zone = *zone_ptr;
  Signed s = sign_basic({DkCanon::nofws, true});
  for (std::size_t chunk : {1u, 2u, 3u, 5u, 64u}) {
    auto r = test::verify(s.message.fields, s.message.body, zone, chunk);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result, Result::pass) << "chunk " << chunk;
  }
}

TEST(DkSignVerify, NofwsToleratesWhitespaceAndFoldingChanges) {
  auto zone_ptr = zone_with(good_record());
  auto& zone = *zone_ptr;
  Signed s = sign_basic({DkCanon::nofws, true});
  Message changed = s.message;
  changed.body = "Hello  Bob,\r\n\r\nsome spaced text\r\n\r\n \t last  line \r\n\r\n";
  for (auto& f : changed.fields) {
    if (f.is("Subject")) f.raw = "Subject:   a folded subject\r\n\tline";
  }
  auto r = test::verify(changed.fields, changed.body, zone);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result, Result::pass) << r->reason;
  // simple does not tolerate the same change
  Signed t = sign_basic({DkCanon::simple, true});
  changed.fields = test::prepend(t.field, test::split_message(test::kBasicMessage).fields);
  auto r2 = test::verify(changed.fields, changed.body, zone);
  ASSERT_TRUE(r2.has_value());
  EXPECT_EQ(r2->result, Result::fail);
}

TEST(DkSignVerify, TamperedBodyOrHeaderFails) {
  auto zone_ptr = zone_with(good_record());
  auto& zone = *zone_ptr;
  for (DkCanon canon : {DkCanon::nofws, DkCanon::simple}) {
    Signed s = sign_basic({canon, true});
    Message body_changed = s.message;
    body_changed.body.replace(body_changed.body.find("Bob"), 3, "Eve");
    auto r = test::verify(body_changed.fields, body_changed.body, zone);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result, Result::fail) << to_string(canon);
    Message header_changed = s.message;
    for (auto& f : header_changed.fields) {
      if (f.is("To")) f.raw = "To: eve@example.org";
    }
    r = test::verify(header_changed.fields, header_changed.body, zone);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result, Result::fail) << to_string(canon);
    // appended empty lines are trailing empty lines: still a pass
    Message padded = s.message;
    padded.body += "\r\n\r\n";
    r = test::verify(padded.fields, padded.body, zone);
    EXPECT_EQ(r->result, Result::pass) << to_string(canon);
  }
}

TEST(DkSignVerify, HeadersAfterTheSignature) {
  auto zone_ptr = zone_with(good_record());
  auto& zone = *zone_ptr;
  // a field added above the signature is never covered
  Signed s = sign_basic({DkCanon::nofws, false});
  auto above = test::prepend("Received: from relay.example.net", s.message.fields);
  EXPECT_EQ(test::verify(above, s.message.body, zone)->result, Result::pass);
  // a field added below the signature breaks a signature without h=...
  auto below = s.message.fields;
  below.push_back(mail::HeaderField{"X-Added: later"});
  EXPECT_EQ(test::verify(below, s.message.body, zone)->result, Result::fail);
  // ...but not one with h=, which names only the fields that were there
  Signed h = sign_basic({DkCanon::nofws, true});
  auto below_h = h.message.fields;
  below_h.push_back(mail::HeaderField{"X-Added: later"});
  EXPECT_EQ(test::verify(below_h, h.message.body, zone)->result, Result::pass);
  // a second Subject added below: h= lists "Subject" once, so both are covered -> fail
  below_h.push_back(mail::HeaderField{"Subject: forged"});
  EXPECT_EQ(test::verify(below_h, h.message.body, zone)->result, Result::fail);
}

TEST(DkSignVerify, SignerSenderRules) {
  struct Case {
    std::string headers;
    std::string domain;
    bool ok;
  };
  const Case cases[] = {
      {"From: a@example.com\r\n", "example.com", true},
      {"From: a@mail.example.com\r\n", "example.com", true},
      {"From: a@other.org\r\nSender: s@example.com\r\n", "example.com", true},
      {"From: a@example.com\r\nSender: s@other.org\r\n", "example.com", false},
      {"From: a@other.org\r\n", "example.com", false},
      {"From: a@example.com\r\n", "mail.example.com", false},
      {"To: b@example.org\r\n", "example.com", false},
      {"From: a@example.com\r\nFrom: b@example.com\r\n", "example.com", false},
      {"From: a@example.com, b@example.com\r\n", "example.com", false},
      {"From: a@example.com\r\nSender: s@example.com\r\nSender: t@example.com\r\n",
       "example.com", false},
  };
  for (const auto& c : cases) {
    Message m = test::split_message(c.headers + "\r\nbody\r\n");
    auto got = test::sign(m, {}, c.domain);
    EXPECT_EQ(got.has_value(), c.ok) << c.headers << (got ? "" : " -> " + got.error());
    if (!c.ok && !got) {
      EXPECT_FALSE(got.error().empty());
    }
  }
}

TEST(DkSignVerify, SignerRefusesBadDomainOrSelector) {
  Message m = test::split_message(test::kBasicMessage);
  EXPECT_FALSE(test::sign(m, {}, "example.com", "bad;sel").has_value());
  EXPECT_FALSE(test::sign(m, {}, "exa mple.com", "sel").has_value());
}

TEST(DkSignVerify, VerifierSenderRules) {
  auto zone_ptr = zone_with(good_record());
  auto& zone = *zone_ptr;
  // signed with d=example.com for a From elsewhere is impossible with our signer, so forge the
  // From after signing without h=: the identity check comes before the crypto
  Signed s = sign_basic({DkCanon::nofws, false});
  auto fields = s.message.fields;
  for (auto& f : fields) {
    if (f.is("From")) f.raw = "From: mallory@evil.example";
  }
  auto r = test::verify(fields, s.message.body, zone);
  EXPECT_EQ(r->result, Result::permerror);
  EXPECT_NE(r->reason.find("does not cover"), std::string::npos) << r->reason;
  // a From above the signature is not signed: no signed sender at all
  std::vector<mail::HeaderField> moved{mail::HeaderField{"From: alice@example.com"}};
  for (const auto& f : s.message.fields) {
    if (!f.is("From")) moved.push_back(f);
  }
  r = test::verify(moved, s.message.body, zone);
  EXPECT_EQ(r->result, Result::permerror);
  EXPECT_NE(r->reason.find("no From or Sender"), std::string::npos) << r->reason;
  // a Sender added below a signature with h= is not covered: the From still decides
  Signed h = sign_basic({DkCanon::nofws, true});
  auto with_sender = h.message.fields;
  with_sender.push_back(mail::HeaderField{"Sender: other@evil.example"});
  r = test::verify(with_sender, h.message.body, zone);
  EXPECT_EQ(r->result, Result::pass);
  EXPECT_EQ(r->identity_field, "from");
}

struct KeyCase {
  std::string name;
  std::string record;
  Result want;
  std::string reason_contains;
};

TEST(DkSignVerify, KeyRecords) {
  const std::string pub = test::test_public_key();
  const KeyCase cases[] = {
      {"revoked", "k=rsa; p=", Result::permerror, "revoked"},
      {"no p=", "k=rsa", Result::permerror, "p="},
      {"unknown k=", "k=dsa; p=" + pub, Result::permerror, "k="},
      {"not base64", "k=rsa; p=!!!!", Result::permerror, "base64"},
      {"not a key", "k=rsa; p=YWJjZA==", Result::permerror, "DER"},
      {"short key", "k=rsa; p=" + test::trim_newline(test::read_file(test::data_path("rsa512.pub.b64"))),
       Result::fail, "short"},
      {"key over kMaxRsaBits",
       "k=rsa; p=" + test::trim_newline(test::read_file(test::data_path("rsa8200.pub.b64"))),
       Result::permerror, "too long"},
      {"huge RSA exponent (a real key)",
       "k=rsa; p=" + test::trim_newline(test::read_file(std::string(POSTSEAL_TEST_DATA) + "/crypto/rsa1024-huge-e.pub.b64")),
       Result::permerror, "unsupported RSA public exponent"},
      {"PKCS#1 key", "p=" + test::trim_newline(test::read_file(test::data_path("rsa1024.pkcs1.b64"))),
       Result::pass, ""},
      {"DKIM record", "v=DKIM1; k=rsa; p=" + pub, Result::pass, ""},
      {"DKIM record allowing sha1", "v=DKIM1; h=sha256:sha1; p=" + pub, Result::pass, ""},
      {"DKIM record for sha256 only", "v=DKIM1; h=sha256; k=rsa; p=" + pub, Result::permerror,
       "h="},
      {"g= matches", "g=alice; p=" + pub, Result::pass, ""},
      {"g= wildcard", "g=al*; p=" + pub, Result::pass, ""},
      {"g= mismatch", "g=bob; p=" + pub, Result::permerror, "g="},
      {"testing pass", "t=y; p=" + pub, Result::pass, "testing"},
  };
  Signed s = sign_basic({DkCanon::nofws, true});
  for (const auto& c : cases) {
    auto zone_ptr = zone_with(c.record);
    auto& zone = *zone_ptr;
    auto r = test::verify(s.message.fields, s.message.body, zone);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result, c.want) << c.name << ": " << r->reason;
    EXPECT_NE(r->reason.find(c.reason_contains), std::string::npos) << c.name << ": " << r->reason;
  }
}

TEST(DkSignVerify, TestingKeyTurnsFailIntoNeutral) {
  auto zone_ptr = zone_with("t=y; p=" + test::test_public_key());
  auto& zone = *zone_ptr;
  Signed s = sign_basic({DkCanon::nofws, true});
  s.message.body += "appended\r\n";
  auto r = test::verify(s.message.fields, s.message.body, zone);
  EXPECT_EQ(r->result, Result::neutral);
  EXPECT_TRUE(r->testing);
}

TEST(DkSignVerify, DnsOutcomes) {
  Signed s = sign_basic({DkCanon::nofws, true});
  dns::MemoryZone empty;
  EXPECT_EQ(test::verify(s.message.fields, s.message.body, empty)->result, Result::permerror);
  dns::MemoryZone timeout;
  timeout.add_timeout(kKeyName);
  auto r = test::verify(s.message.fields, s.message.body, timeout);
  EXPECT_EQ(r->result, Result::temperror);
  dns::MemoryZone two;
  test::add_txt(two, kKeyName, good_record());
  test::add_txt(two, kKeyName, good_record());
  EXPECT_EQ(test::verify(s.message.fields, s.message.body, two)->result, Result::permerror);
  // a key split over several TXT strings is joined
  dns::MemoryZone split;
  dns::Record rec;
  rec.type = dns::RrType::txt;
  std::string text = good_record();
  rec.strings = {text.substr(0, 40), text.substr(40)};
  split.add(kKeyName, rec);
  EXPECT_EQ(test::verify(s.message.fields, s.message.body, split)->result, Result::pass);
}

TEST(DkSignVerify, NoSignatureIsNone) {
  dns::MemoryZone zone;
  Message m = test::split_message(test::kBasicMessage);
  EXPECT_FALSE(test::verify(m.fields, m.body, zone).has_value());
  EXPECT_TRUE(zone.queries().empty());
}

TEST(DkSignVerify, BadSignatureFieldIsPermerrorWithoutDnsQuery) {
  dns::MemoryZone zone;
  Message m = test::split_message(test::kBasicMessage);
  auto fields = test::prepend("DomainKey-Signature: a=rsa-sha1; d=exa\x01mple.com; s=sel; b=YWJj",
                              m.fields);
  auto r = test::verify(fields, m.body, zone);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result, Result::permerror);
  EXPECT_TRUE(zone.queries().empty());
}

TEST(DkSignVerify, OnlyTheTopSignaturesAreConsidered) {
  auto zone_ptr = zone_with(good_record());
  auto& zone = *zone_ptr;
  Signed s = sign_basic({DkCanon::nofws, true});
  // kMaxSignaturesConsidered broken signatures above a good one: the good one is not reached
  auto fields = s.message.fields;
  for (std::size_t i = 0; i < kMaxSignaturesConsidered; ++i) {
    fields = test::prepend("DomainKey-Signature: a=rsa-sha1; c=nofws; d=example.com; s=sel; "
                           "b=AAAA",
                           fields);
  }
  zone.clear_queries();
  auto r = test::verify(fields, s.message.body, zone);
  EXPECT_NE(r->result, Result::pass);
  EXPECT_LE(zone.queries().size(), kMaxSignaturesConsidered);
  // one fewer broken signature and the good one is reached and wins
  fields.erase(fields.begin());
  r = test::verify(fields, s.message.body, zone);
  EXPECT_EQ(r->result, Result::pass);
}

TEST(DkSignVerify, ResultTextIsSafe) {
  DkResult r;
  r.result = Result::fail;
  r.d = "example.com";
  r.identity = "\"a b\"@example.com";
  r.identity_field = "from";
  r.reason = "x\r\nInjected: yes) (more";
  std::string text = format_result(r);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_EQ(text.find("header.from"), std::string::npos);  // not a token: left out
  EXPECT_EQ(text.find(") ("), std::string::npos);          // the comment stays one comment
  r.b = "ab\"cd";
  EXPECT_EQ(format_result(r).find("header.b"), std::string::npos);
}

TEST(DkSignVerify, SignerNeedsRsa) {
  Message m = test::split_message(test::kBasicMessage);
  DkSigner s("example.com", "sel", nullptr, {});
  s.body(m.body);
  EXPECT_FALSE(s.finish(m.fields).has_value());
}

TEST(DkSignVerify, HeadersChangedAfterStreamingIsAnError) {
  Message m = test::split_message(test::kBasicMessage);
  DkSigner s("example.com", "sel", test::test_key(), {});
  s.headers(m.fields);
  s.body(m.body);
  m.fields.push_back(mail::HeaderField{"X-New: 1"});
  EXPECT_FALSE(s.finish(m.fields).has_value());
}

}  // namespace
}  // namespace postseal::domainkeys

namespace postseal::domainkeys {
namespace {

TEST(DkLimits, BufferedBodyLimitHolds) {
  Message m = test::split_message(test::kBasicMessage);
  DkSigner s("example.com", "sel", test::test_key(), {DkCanon::simple, true});
  std::string chunk(1024 * 1024, 'a');
  chunk.append("\r\n");
  std::size_t fed = 0;
  while (fed <= kMaxBufferedBodyOctets) {
    s.body(chunk);
    fed += chunk.size();
  }
  auto got = s.finish(m.fields);
  ASSERT_FALSE(got.has_value());
  EXPECT_NE(got.error().find("headers()"), std::string::npos) << got.error();
  // the same body streamed after headers() signs fine
  DkSigner streamed("example.com", "sel", test::test_key(), {DkCanon::simple, true});
  streamed.headers(m.fields);
  for (std::size_t n = 0; n < fed; n += chunk.size()) streamed.body(chunk);
  EXPECT_TRUE(streamed.finish(m.fields).has_value());
}

TEST(DkLimits, Base64InputLimitHolds) {  // DomainKeys decodes b= and p= with its own limit
  using crypto::base64_decode;
  EXPECT_TRUE(base64_decode(std::string(kMaxBase64Octets, 'A'), kMaxBase64Octets).has_value());
  EXPECT_FALSE(base64_decode(std::string(kMaxBase64Octets + 4, 'A'), kMaxBase64Octets).has_value());
}

}  // namespace
}  // namespace postseal::domainkeys
