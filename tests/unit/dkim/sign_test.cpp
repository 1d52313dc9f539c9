// sign_test.cpp - DKIM signing: RFC 8463 Appendix A reproduced byte for byte, the default
// header list and oversigning (docs/security.md 16, with RFC 8058 4's List-Unsubscribe fields
// oversigned when present), From checks (docs/security.md 15, 18), folding, dual signing, and
// signatures from the default list verified by MessageVerifier.
#include "core/crypto/base64.hpp"
#include "core/crypto/private_key.hpp"
#include "core/dkim/canonicalize.hpp"
#include "core/dkim/message_signer.hpp"
#include "core/dkim/message_verifier.hpp"
#include "core/dkim/signature_writer.hpp"
#include "core/mail/header.hpp"
#include "core/mail/header_folder.hpp"
#include "core/mail/tag_list.hpp"
#include "core/dns/memory_zone.hpp"
#include "core/util/clock.hpp"
#include "tests/unit/run_awaitable.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <fstream>
#include <sstream>

namespace postseal::dkim {
namespace {

const std::string kData = std::string(POSTSEAL_TEST_DATA) + "/dkim/";
constexpr std::int64_t kRfcTime = 1528637909;
constexpr std::string_view kRfcBodyHash = "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=";

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::shared_ptr<const crypto::PrivateKey> key(const std::string& name) {
  auto k = crypto::PrivateKey::from_pem(read(kData + name), name);
  EXPECT_TRUE(k.has_value()) << (k ? "" : k.error());
  return k ? *k : nullptr;
}

struct Message {
  std::vector<mail::HeaderField> signatures;  // the DKIM-Signature fields it had
  std::vector<mail::HeaderField> headers;     // the others
  std::string body;
};

Message split(const std::string& text) {
  std::size_t end = text.find("\r\n\r\n");
  Message m;
  auto fields = mail::parse_header_block(text.substr(0, end + 2));
  EXPECT_TRUE(fields.has_value());
  for (auto& f : *fields) (f.is("DKIM-Signature") ? m.signatures : m.headers).push_back(f);
  m.body = text.substr(end + 4);
  return m;
}

// tags_of - the signature's tags as parsed, b= and others with FWS removed.
mail::TagList tags_of(std::string_view field) {
  auto colon = field.find(':');
  auto tags = mail::parse_tag_list(field.substr(colon + 1));
  EXPECT_TRUE(tags.has_value());
  return tags.value_or(mail::TagList{});
}

using mail::strip_fws;
using mail::TagList;

std::string body_hash(Canon canon, std::string_view body) {
  BodyHasher h(canon, EVP_sha256());
  h.update(body);
  return crypto::base64_encode(h.finish());
}

TEST(Rfc8463, BodyHashOfTheStrippedMessage) {
  Message m = split(read(kData + "rfc8463/signed.eml"));
  EXPECT_EQ(body_hash(Canon::relaxed, m.body), kRfcBodyHash);
}

TEST(Rfc8463, ReSignWithDefaultLayoutGivesTheRfcBodyHash) {
  Message m = split(read(kData + "rfc8463/signed.eml"));
  FixedClock clock(kRfcTime);
  SignOptions opt;
  opt.headers = {"from", "to", "subject", "date", "message-id", "from", "subject", "date"};
  MessageSigner signer({{"football.example.com", "brisbane", key("rfc8463/ed25519-brisbane.private.pem")},
                        {"football.example.com", "test", key("rfc8463/rsa-test.private.pem")}},
                       opt, clock);
  signer.body(m.body);
  auto out = signer.finish(m.headers);
  ASSERT_TRUE(out.has_value());
  auto fields = mail::parse_header_block(*out);
  ASSERT_TRUE(fields.has_value());
  ASSERT_EQ(fields->size(), 2u);
  for (const auto& f : *fields) {
    TagList t = tags_of(f.raw);
    EXPECT_EQ(t.get("bh"), kRfcBodyHash);
    EXPECT_EQ(t.get("t"), "1528637909");
    EXPECT_EQ(t.get("c"), "relaxed/relaxed");
    EXPECT_FALSE(t.get("l").has_value());
  }
  EXPECT_EQ(tags_of((*fields)[0].raw).get("a"), "ed25519-sha256");
  EXPECT_EQ(tags_of((*fields)[1].raw).get("a"), "rsa-sha256");
}

// The RFC's own tag layout reproduces both b= values (PKCS#1 v1.5 and Ed25519 are deterministic).
TEST(Rfc8463, ExactLayoutReproducesBothSignatures) {
  Message m = split(read(kData + "rfc8463/signed.eml"));
  ASSERT_EQ(m.signatures.size(), 2u);
  struct Case {
    std::string selector, key_file;
    Algorithm algorithm;
    const mail::HeaderField* want;
  } cases[] = {{"brisbane", "rfc8463/ed25519-brisbane.private.pem", Algorithm::ed25519_sha256, &m.signatures[0]},
               {"test", "rfc8463/rsa-test.private.pem", Algorithm::rsa_sha256, &m.signatures[1]}};
  for (const auto& c : cases) {
    Signature layout;
    layout.a = c.algorithm;
    layout.header_canon = layout.body_canon = Canon::relaxed;
    layout.d = "football.example.com";
    layout.i = "@football.example.com";
    layout.i_written = layout.q_written = layout.h_spaced = true;
    layout.s = c.selector;
    layout.t = kRfcTime;
    layout.h = {"from", "to", "subject", "date", "message-id", "from", "subject", "date"};
    layout.bh = *crypto::base64_decode(body_hash(Canon::relaxed, m.body), 64);
    auto field = sign_signature(*key(c.key_file), layout, m.headers);
    ASSERT_TRUE(field.has_value()) << c.selector;
    TagList want = tags_of(c.want->raw), got = tags_of(*field);
    auto want_b = want.get("b");
    ASSERT_TRUE(want_b.has_value());
    auto got_b = got.get("b");
    ASSERT_TRUE(got_b.has_value());
    EXPECT_EQ(strip_fws(*got_b), strip_fws(*want_b)) << c.selector;
  }
}

// the signing tests below use the RFC 8463 message and keys as a fixture.
struct Fixture {
  FixedClock clock{kRfcTime};
  std::shared_ptr<const crypto::PrivateKey> ed = key("rfc8463/ed25519-brisbane.private.pem");
  std::shared_ptr<const crypto::PrivateKey> rsa = key("dkimpy-data/2048_testkey.key");

  std::expected<std::string, SignError> sign(const std::vector<mail::HeaderField>& headers,
                                             SignOptions opt = {}) {
    MessageSigner s({{"example.com", "s1", rsa}}, opt, clock);
    s.body("Hi.\r\n");
    return s.finish(headers);
  }
};

std::vector<mail::HeaderField> headers(std::string_view block) {
  auto f = mail::parse_header_block(block);
  EXPECT_TRUE(f.has_value());
  return f.value_or(std::vector<mail::HeaderField>{});
}

TEST(Sign, FromMustOccurExactlyOnce) {  // docs/security.md 15
  Fixture fx;
  EXPECT_EQ(fx.sign(headers("To: a@example.net\r\nSubject: x\r\n")).error(), SignError::no_from);
  EXPECT_EQ(fx.sign(headers("From: a@example.com\r\nFrom: b@example.com\r\n")).error(), SignError::multiple_from);
  EXPECT_EQ(fx.sign(headers("from: a@example.com\r\nFROM: b@example.com\r\n")).error(), SignError::multiple_from);
  EXPECT_TRUE(fx.sign(headers("From: a@example.com\r\n")).has_value());
}

TEST(Sign, DefaultHeaderListOversigns) {  // docs/security.md 16
  Fixture fx;
  auto out = fx.sign(headers(
      "From: a@example.com\r\nTo: b@example.net\r\nTo: c@example.net\r\nSubject: s\r\n"
      "Received: by x\r\nList-Id: <l.example.com>\r\nX-Mailer: m\r\nMIME-Version: 1.0\r\n"));
  ASSERT_TRUE(out.has_value());
  auto h = split_header_list(*tags_of(*out).get("h"));
  auto count = [&](std::string_view n) { return std::count(h.begin(), h.end(), std::string(n)); };
  struct { std::string_view name; long want; } cases[] = {
      {"From", 2}, {"To", 3}, {"Subject", 2}, {"Cc", 1}, {"Date", 1}, {"Message-ID", 1},
      {"Reply-To", 1}, {"Content-Type", 1}, {"MIME-Version", 2}, {"List-Id", 1},
      {"Received", 0}, {"X-Mailer", 0}, {"References", 0}};
  for (const auto& c : cases) EXPECT_EQ(count(c.name), c.want) << c.name;
}

// RFC 8058 4: List-Unsubscribe and List-Unsubscribe-Post MUST be signed when present; oversigned
// then (count + 1) so neither can be added after signing, above or below (docs/security.md 16).
const std::string kOneClick =
    "From: news@example.com\r\nTo: b@example.net\r\nSubject: s\r\n"
    "List-Unsubscribe: <https://example.com/unsub/b7Kz>, <mailto:unsub@example.com>\r\n"
    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";

// name_counts - how often h= names each of `names`, case as written.
std::vector<long> name_counts(const std::string& signature, std::initializer_list<std::string_view> names) {
  auto h = split_header_list(*tags_of(signature).get("h"));
  std::vector<long> out;
  for (auto n : names) out.push_back(std::count(h.begin(), h.end(), std::string(n)));
  return out;
}

TEST(Sign, OneClickUnsubscribeFieldsOversignedWhenPresent) {
  Fixture fx;
  auto out = fx.sign(headers(kOneClick));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(name_counts(*out, {"List-Unsubscribe", "List-Unsubscribe-Post"}), (std::vector<long>{2, 2}));
  auto only_list = fx.sign(headers("From: a@example.com\r\nList-Unsubscribe: <mailto:u@example.com>\r\n"));
  ASSERT_TRUE(only_list.has_value());
  EXPECT_EQ(name_counts(*only_list, {"List-Unsubscribe", "List-Unsubscribe-Post"}), (std::vector<long>{2, 0}));
}

TEST(Sign, AbsentUnsubscribeFieldsAreNotNamed) {
  Fixture fx;
  auto out = fx.sign(headers("From: a@example.com\r\nTo: b@example.net\r\nSubject: s\r\n"));
  ASSERT_TRUE(out.has_value());
  std::string h(*tags_of(*out).get("h"));
  EXPECT_EQ(h.find("List-Unsubscribe"), std::string::npos) << h;
  EXPECT_EQ(name_counts(*out, {"From", "Subject", "Date"}), (std::vector<long>{2, 2, 1}))
      << "the oversigned set is unchanged: absent Date still gets its null entry";
}

// verify_signed - MessageVerifier's results for `signature` above `block`, with fx.rsa's
// record at s1._domainkey.example.com.
std::vector<SignatureResult> verify_signed(const Fixture& fx, const std::string& signature,
                                           const std::string& block) {
  dns::MemoryZone zone;
  dns::Record txt;
  txt.type = dns::RrType::txt;
  std::string record = "v=DKIM1; k=rsa; p=" + fx.rsa->public_key_base64();
  for (std::size_t at = 0; at < record.size(); at += 255) txt.strings.push_back(record.substr(at, 255));
  zone.add("s1._domainkey.example.com", txt);
  KeyCache cache;
  VerifyOptions options;
  options.key_cache = &cache;
  MessageVerifier verifier(options, fx.clock);
  verifier.headers(headers(signature + block));
  verifier.body("Hi.\r\n");
  return test::run(verifier.finish(zone));
}

TEST(Sign, OneClickSignatureVerifiesAndCatchesAddedFields) {
  Fixture fx;
  auto out = fx.sign(headers(kOneClick));
  ASSERT_TRUE(out.has_value());
  struct { std::string name, block; Result want; } cases[] = {
      {"as signed", kOneClick, Result::pass},
      {"List-Unsubscribe added", "List-Unsubscribe: <https://evil.example/x>\r\n" + kOneClick, Result::fail},
      {"List-Unsubscribe-Post added", "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" + kOneClick,
       Result::fail},
  };
  for (const auto& c : cases) {
    auto got = verify_signed(fx, *out, c.block);
    ASSERT_EQ(got.size(), 1u) << c.name;
    EXPECT_EQ(to_string(got[0].result), to_string(c.want)) << c.name << ": " << got[0].reason;
  }
}

TEST(Sign, ExplicitHeaderListGetsFrom) {
  Fixture fx;
  SignOptions opt;
  opt.headers = {"Subject", "To"};
  auto out = fx.sign(headers("From: a@example.com\r\nSubject: s\r\n"), opt);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(tags_of(*out).get("h"), "From:Subject:To");
}

TEST(Sign, TagOrderFoldingAndNoLengthTag) {  // docs/security.md 18
  Fixture fx;
  SignOptions opt;
  opt.expire_seconds = 3600;
  opt.body_canon = Canon::simple;
  auto out = fx.sign(headers("From: a@example.com\r\nTo: b@example.net\r\nSubject: s\r\n"), opt);
  ASSERT_TRUE(out.has_value());
  TagList t = tags_of(*out);
  std::vector<std::string> names;
  for (const auto& [n, v] : t.tags) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"v", "a", "c", "d", "s", "t", "x", "h", "bh", "b"}));
  EXPECT_EQ(t.get("x"), std::to_string(kRfcTime + 3600));
  EXPECT_EQ(t.get("a"), "rsa-sha256");
  EXPECT_EQ(t.get("c"), "relaxed/simple");
  EXPECT_EQ(out->rfind("\r\n"), out->size() - 2);
  std::size_t start = 0;
  while (start < out->size()) {
    std::size_t end = out->find("\r\n", start);
    EXPECT_LE(end - start, mail::kFoldColumns) << out->substr(start, end - start);
    if (start != 0) {
      EXPECT_EQ((*out)[start], ' ') << "continuation lines start with SP";
    }
    start = end + 2;
  }
}

TEST(Sign, LongHeaderListFoldsBetweenNames) {
  Fixture fx;
  SignOptions opt;
  for (int i = 0; i < 40; ++i) opt.headers.push_back("X-Long-Header-" + std::to_string(i));
  auto out = fx.sign(headers("From: a@example.com\r\n"), opt);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(split_header_list(*tags_of(*out).get("h")).size(), 41u);
  std::size_t start = 0;
  while (start < out->size()) {
    std::size_t end = out->find("\r\n", start);
    EXPECT_LE(end - start, mail::kFoldColumns);
    start = end + 2;
  }
}

TEST(Sign, DualSigningSharesOneBodyHash) {
  Fixture fx;
  MessageSigner s({{"example.com", "rsa", fx.rsa}, {"example.com", "ed", fx.ed}}, {}, fx.clock);
  s.body("line one\r\n");
  s.body("line two\r\n");
  auto out = s.finish(headers("From: a@example.com\r\n"));
  ASSERT_TRUE(out.has_value());
  auto fields = mail::parse_header_block(*out);
  ASSERT_EQ(fields->size(), 2u);
  TagList rsa = tags_of((*fields)[0].raw), ed = tags_of((*fields)[1].raw);
  EXPECT_EQ(rsa.get("a"), "rsa-sha256");
  EXPECT_EQ(ed.get("a"), "ed25519-sha256");
  EXPECT_EQ(rsa.get("bh"), ed.get("bh"));
  EXPECT_EQ(*rsa.get("bh"), body_hash(Canon::relaxed, "line one\r\nline two\r\n"));
  EXPECT_EQ(strip_fws(*ed.get("b")).size(), 88u);   // 64 octets
  EXPECT_EQ(strip_fws(*rsa.get("b")).size(), 344u); // 256 octets
}

}  // namespace
}  // namespace postseal::dkim
