// own_mail_test.cpp - signing our own LF-ended mail (signer/filter/own_mail.hpp): the same
// DKIM-Signature the content filter's SignStep makes for the CRLF form of the message (one
// copy of the rules), returned with LF line ends; a From domain without a key passes unsigned
// with SignStep's reason; a message without a header block end is not signed.
#include "core/mail/header.hpp"
#include "core/util/clock.hpp"
#include "signer/filter/own_mail.hpp"

#include <gtest/gtest.h>

namespace postseal::signer {
namespace {

const std::string kKeyFile = std::string(POSTSEAL_TEST_DATA) + "/domainkeys/rsa1024.pem";

std::shared_ptr<const SigningTable> table() {
  auto key = crypto::PrivateKey::load(kKeyFile, false);
  EXPECT_TRUE(key.has_value());
  DomainPolicy p;
  p.domain = "receiver.example";
  p.keys.push_back(dkim::SignerKey{"receiver.example", "rep", *key});
  return std::make_shared<const SigningTable>(std::vector<DomainPolicy>{std::move(p)});
}

const std::string kHeader =
    "From: dmarc@receiver.example\nTo: agg@example.com\nSubject: Report Domain: example.com "
    "Submitter: receiver.example Report-ID: <x@receiver.example>\nMIME-Version: 1.0\n";
const std::string kBody = "a line\n\n  with space \n\n\n";

TEST(OwnMail, SameSignatureAsTheFilterWithLfLineEnds) {
  FixedClock clock(1790000000);
  auto got = sign_own_mail(table(), kHeader + "\n" + kBody, clock);
  ASSERT_EQ(got.decision, SignDecision::sign) << got.summary;
  EXPECT_TRUE(got.fields.starts_with("DKIM-Signature: v=1; a=rsa-sha256;")) << got.fields;
  EXPECT_EQ(got.fields.find('\r'), std::string::npos);
  EXPECT_TRUE(got.fields.ends_with("\n"));
  EXPECT_NE(got.summary.find("DKIM-Signature added (d=receiver.example, s=rep, a=rsa-sha256)"),
            std::string::npos)
      << got.summary;

  auto crlf = [](std::string s) {
    std::string out;
    for (char c : s) out += c == '\n' ? std::string("\r\n") : std::string(1, c);
    return out;
  };
  auto headers = mail::parse_header_block(crlf(kHeader)).value();
  SignStep filter(table(), headers, clock);
  filter.body(crlf(kBody));
  EXPECT_EQ(crlf(got.fields), filter.finish(headers));
}

TEST(OwnMail, NoKeyForTheFromDomainPassesUnsigned) {
  FixedClock clock(1790000000);
  auto got = sign_own_mail(table(), "From: dmarc@other.example\nTo: a@example.com\n\nbody\n", clock);
  EXPECT_EQ(got.decision, SignDecision::pass_unsigned);
  EXPECT_TRUE(got.fields.empty());
  EXPECT_NE(got.summary.find("no signing key for From domain other.example"), std::string::npos)
      << got.summary;
}

TEST(OwnMail, NoHeaderBlockEndIsNotSigned) {
  FixedClock clock(1790000000);
  auto got = sign_own_mail(table(), "From: dmarc@receiver.example\n", clock);
  EXPECT_EQ(got.decision, SignDecision::pass_unsigned);
  EXPECT_TRUE(got.fields.empty());
}

}  // namespace
}  // namespace postseal::signer
