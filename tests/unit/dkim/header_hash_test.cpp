// header_hash_test.cpp - RFC 6376 3.7: our signer's header hash input equals our verifier's,
// byte for byte, for the same signature: every canonicalization pair, RSA (b= folded over
// several lines) and Ed25519, i= and a folded h= list, repeated and missing fields. The
// verifier side starts from the rendered field text, as a receiver does (b= emptied by text
// surgery); the signer side from the Signature it rendered with an empty b=.
#include "core/crypto/private_key.hpp"
#include "core/dkim/header_hash.hpp"
#include "core/dkim/message_signer.hpp"
#include "core/dkim/signature_writer.hpp"
#include "core/mail/header.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace postseal::dkim {
namespace {

const std::string kData = std::string(POSTSEAL_TEST_DATA) + "/dkim/";

std::shared_ptr<const crypto::PrivateKey> key(const std::string& name) {
  std::ifstream in(kData + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  auto k = crypto::PrivateKey::from_pem(ss.str(), name);
  EXPECT_TRUE(k.has_value()) << (k ? "" : k.error());
  return k ? *k : nullptr;
}

std::vector<mail::HeaderField> fields(std::string_view block) {
  return mail::parse_header_block(block).value();
}

const std::vector<mail::HeaderField> kHeaders = fields(
    "From: Joe  Q. <joe@example.com>\r\nTo: sue@example.net,\r\n\tbob@example.net\r\n"
    "Subject:  dinner \t tonight\r\nTo: late@example.net\r\nDate: Fri, 11 Jul 2003 21:00:37 -0700\r\n");

Signature signature_for(const crypto::PrivateKey& k, Canon header, Canon body) {
  Signature sig;
  sig.a = algorithm_for(k);
  sig.header_canon = header;
  sig.body_canon = body;
  sig.d = "example.com";
  sig.s = "sel";
  sig.i = "joe@mail.example.com";
  sig.i_written = true;
  sig.t = 1700000000;
  sig.x = 1700003600;
  sig.h = {"From", "To", "To", "To", "Subject", "Date", "Cc", "Message-ID"};
  for (int n = 0; n < 6; ++n) sig.h.push_back("X-Long-Header-Name-" + std::to_string(n));
  sig.bh = std::string(32, '\x5a');
  return sig;
}

TEST(HeaderHash, SignerInputEqualsVerifierInput) {
  const Canon canons[] = {Canon::simple, Canon::relaxed};
  for (const char* file : {"dkimpy-data/2048_testkey.key", "rfc8463/ed25519-brisbane.private.pem"}) {
    auto k = key(file);
    ASSERT_TRUE(k);
    for (Canon header : canons) {
      for (Canon body : canons) {
        Signature sig = signature_for(*k, header, body);
        std::string signer_input = signing_input(sig, kHeaders);
        auto field = sign_signature(*k, sig, kHeaders);
        ASSERT_TRUE(field.has_value());
        auto parsed_fields = fields(*field);
        ASSERT_EQ(parsed_fields.size(), 1u);
        auto parsed = parse_signature(parsed_fields[0].value());
        ASSERT_TRUE(parsed.has_value()) << parsed.error();
        std::string verifier_input = header_hash_input(*parsed, kHeaders, parsed_fields[0].raw);
        std::string where = std::string(file) + " c=" + std::string(to_string(header)) + "/" +
                            std::string(to_string(body));
        EXPECT_EQ(signer_input, verifier_input) << where;
        EXPECT_EQ(render_signature(*parsed), *field) << where << ": parse and render round-trip";
        EXPECT_NE(field->find("\r\n b="), std::string::npos) << where << ": b= on a line of its own";
      }
    }
  }
}

TEST(HeaderHash, RsaSignatureValueIsFoldedOverSeveralLines) {
  auto k = key("dkimpy-data/2048_testkey.key");
  Signature sig = signature_for(*k, Canon::simple, Canon::simple);
  auto field = sign_signature(*k, sig, kHeaders);
  ASSERT_TRUE(field.has_value());
  auto b = field->find("\r\n b=");
  ASSERT_NE(b, std::string::npos);
  std::size_t lines = 0;
  for (auto pos = b; (pos = field->find("\r\n", pos + 2)) != std::string::npos;) ++lines;
  EXPECT_GE(lines, 4u);  // 344 base64 octets on lines of at most kFoldColumns
}

TEST(HeaderHash, SelectsInstancesBottomUpAndSkipsMissingOnes) {
  Signature sig;
  sig.header_canon = Canon::simple;
  sig.h = {"to", "To", "To", "cc"};
  std::string got = header_hash_input(sig, kHeaders, "DKIM-Signature: b=abc");
  EXPECT_EQ(got,
            "To: late@example.net\r\nTo: sue@example.net,\r\n\tbob@example.net\r\n"
            "DKIM-Signature: b=");
}

TEST(HeaderHash, EmptyBValue) {
  EXPECT_EQ(empty_b_value("DKIM-Signature: v=1; b=abc\r\n def; bh=xyz"), "DKIM-Signature: v=1; b=; bh=xyz");
  EXPECT_EQ(empty_b_value("DKIM-Signature: v=1; bh=xyz;\r\n b = abc"), "DKIM-Signature: v=1; bh=xyz;\r\n b =");
}

}  // namespace
}  // namespace postseal::dkim
