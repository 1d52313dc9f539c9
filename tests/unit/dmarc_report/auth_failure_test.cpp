// auth_failure_test.cpp - the Auth-Failure type a DKIM result gives (core/dmarc_report/
// auth_failure.hpp): RFC 6591 3.1 bodyhash / revoked / signature from the RFC 6376 step that
// failed, signature for any other failed evaluation, none for results that are no failure.
#include "core/dmarc_report/auth_failure.hpp"

#include <gtest/gtest.h>

namespace postseal::dmarc_report {
namespace {

dkim::SignatureResult result(dkim::Result r, dkim::Failure failure = dkim::Failure::none) {
  dkim::SignatureResult sig{r, "why", "example.com", "sel", "rsa-sha256", "", ""};
  sig.failure = failure;
  return sig;
}

std::string type_of(const dkim::SignatureResult& sig) {
  auto reported = reported_signature(sig);
  return reported.failure ? std::string(to_string(*reported.failure)) : "(none)";
}

TEST(AuthFailure, Keywords) {
  EXPECT_EQ(to_string(AuthFailure::dmarc), "dmarc");
  EXPECT_EQ(to_string(AuthFailure::signature), "signature");
  EXPECT_EQ(to_string(AuthFailure::bodyhash), "bodyhash");
  EXPECT_EQ(to_string(AuthFailure::revoked), "revoked");
  EXPECT_EQ(to_string(AuthFailure::spf), "spf");
  EXPECT_TRUE(is_dkim_report(AuthFailure::bodyhash));
  EXPECT_FALSE(is_dkim_report(AuthFailure::spf));
  EXPECT_FALSE(is_dkim_report(AuthFailure::dmarc));
}

TEST(AuthFailure, EachDkimFailureKind) {
  using dkim::Failure;
  using dkim::Result;
  struct Case {
    dkim::SignatureResult sig;
    std::string_view want;
  } cases[] = {
      {result(Result::fail, Failure::body_hash), "bodyhash"},
      {result(Result::permerror, Failure::key_revoked), "revoked"},
      {result(Result::fail, Failure::signature), "signature"},
      {result(Result::fail), "signature"},       // expired, key too short, rsa-sha1
      {result(Result::permerror), "signature"},  // malformed, no key, key unusable
      {result(Result::policy), "signature"},     // l= short of the body, not checked
      {result(Result::pass), "(none)"},
      {result(Result::temperror), "(none)"},
      {result(Result::neutral), "(none)"},
      {result(Result::none), "(none)"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(type_of(c.sig), c.want) << dkim::to_string(c.sig.result) << " " << static_cast<int>(c.sig.failure);
  // a signature that did not parse has no d= to name: no DKIM report about it
  auto unparsed = result(dkim::Result::permerror);
  unparsed.d.clear();
  unparsed.s.clear();
  EXPECT_EQ(type_of(unparsed), "(none)");
}

TEST(AuthFailure, FirstFailedSignatureSkipsPassAndTemperror) {
  std::vector<ReportedSignature> sigs{reported_signature(result(dkim::Result::pass)),
                                      reported_signature(result(dkim::Result::temperror)),
                                      reported_signature(result(dkim::Result::fail, dkim::Failure::body_hash)),
                                      reported_signature(result(dkim::Result::permerror, dkim::Failure::key_revoked))};
  sigs[2].d = "third.example";
  const auto* first = first_failed_signature(sigs);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->d, "third.example");
  EXPECT_EQ(first->failure, AuthFailure::bodyhash);
  sigs.resize(2);
  EXPECT_EQ(first_failed_signature(sigs), nullptr);
}

TEST(AuthFailure, ReportedSignatureKeepsTheIdentity) {
  auto sig = result(dkim::Result::fail, dkim::Failure::signature);
  sig.i = "user@mail.example.com";
  auto reported = reported_signature(sig);
  EXPECT_EQ(reported.d, "example.com");
  EXPECT_EQ(reported.s, "sel");
  EXPECT_EQ(reported.i, "user@mail.example.com");
  EXPECT_EQ(reported.result, "fail");
}

}  // namespace
}  // namespace postseal::dmarc_report
