// auth_results_test.cpp - the RFC 8601 writer and the forged Authentication-Results remover
// (docs/security.md, OpenDKIM CVE-2022-48521).
#include "verifier/auth_results.hpp"
#include "verifier/message_report.hpp"

#include <gtest/gtest.h>

namespace postseal::verifier {
namespace {

TEST(Render, SpfAndDkimClauses) {
  AuthResults ar;
  ar.authserv_id = "mx.example.org";
  ar.spf.push_back(SpfResinfo{spf::SpfResult::pass, "", "user@example.com", ""});
  dkim::SignatureResult good;
  good.result = dkim::Result::pass;
  good.d = "example.com";
  good.s = "2026a";
  good.a = "rsa-sha256";
  good.b = "dGhpcyBpcyBhIHNpZ25hdHVyZQ==";
  dkim::SignatureResult bad;
  bad.result = dkim::Result::fail;
  bad.reason = "body hash mismatch";
  bad.d = "example.net";
  bad.s = "sel";
  bad.a = "ed25519-sha256";
  bad.b = "abc/def+ghij";
  ar.dkim = {good, bad};
  EXPECT_EQ(render_authentication_results(ar),
            "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=user@example.com; "
            "dkim=pass header.d=example.com header.s=2026a header.a=rsa-sha256 header.b=dGhpcyBpcyBh; "
            "dkim=fail reason=\"body hash mismatch\" header.d=example.net header.s=sel "
            "header.a=ed25519-sha256 header.b=\"abc/def+ghij\"");
}

TEST(Render, FoldedAndNoResult) {
  AuthResults ar;
  ar.authserv_id = "mx.example.org";
  EXPECT_EQ(render_authentication_results(ar), "Authentication-Results: mx.example.org; none");
  ar.spf.push_back(SpfResinfo{spf::SpfResult::none, "", "", "helo.example"});
  ar.spf.push_back(SpfResinfo{spf::SpfResult::fail, "", "a@b.example", ""});
  EXPECT_EQ(render_authentication_results(ar, true),
            "Authentication-Results: mx.example.org;\r\n\tspf=none smtp.helo=helo.example;\r\n\t"
            "spf=fail smtp.mailfrom=a@b.example");
}

TEST(Render, UntrustedValuesCannotBreakTheField) {
  AuthResults ar;
  ar.authserv_id = "mx.example.org";
  ar.spf.push_back(SpfResinfo{spf::SpfResult::permerror, "bad\r\nX-Injected: yes \"q\"",
                              "evil\r\nAuthentication-Results: mx.example.org; spf=pass@x", ""});
  auto got = render_authentication_results(ar);
  EXPECT_EQ(got.find('\r'), std::string::npos) << got;
  EXPECT_EQ(got.find('\n'), std::string::npos) << got;
  EXPECT_NE(got.find("reason=\"bad??X-Injected: yes \\\"q\\\"\""), std::string::npos) << got;
  EXPECT_NE(got.find("smtp.mailfrom=\"evil??Authentication-Results: mx.example.org; spf=pass@x\""),
            std::string::npos)
      << got;
}

domainkeys::DkResult dk_pass() {
  domainkeys::DkResult dk;
  dk.result = dkim::Result::pass;
  dk.d = "example.com";
  dk.identity = "user@example.com";
  dk.identity_field = "from";
  dk.b = "dGhpcyBpcyBhIHNpZ25hdHVyZQ==";
  return dk;
}

// DomainKeys (RFC 4870) is one resinfo of the field like the others: after DKIM, in place of
// "none" when it is the only result, before the comment.
TEST(Render, DomainKeysIsOneOfTheResinfos) {
  AuthResults ar;
  ar.authserv_id = "mx.example.org";
  ar.domainkeys = dk_pass();
  EXPECT_EQ(render_authentication_results(ar),
            "Authentication-Results: mx.example.org; domainkeys=pass header.d=example.com "
            "header.from=user@example.com header.b=\"dGhpcyBpcyBh\"");
  ar.spf.push_back(SpfResinfo{spf::SpfResult::pass, "", "user@example.com", ""});
  ar.comment = "DKIM not checked: (too) many\r\nfields";
  EXPECT_EQ(render_authentication_results(ar, true),
            "Authentication-Results: mx.example.org;\r\n\tspf=pass smtp.mailfrom=user@example.com;\r\n\t"
            "domainkeys=pass header.d=example.com header.from=user@example.com header.b=\"dGhpcyBpcyBh\" "
            "(DKIM not checked: ?too? many??fields)");
}

TEST(MessageReport, AuthResultsValueWithDomainKeys) {
  MessageReport r;
  r.domainkeys = dk_pass();
  EXPECT_EQ(auth_results_value(r, "mx.example.org"),
            " mx.example.org;\r\n\tdomainkeys=pass header.d=example.com header.from=user@example.com "
            "header.b=\"dGhpcyBpcyBh\"");
  r.dkim_not_checked = "more than 1000 header fields";
  EXPECT_EQ(auth_results_value(r, "mx.example.org"),
            " mx.example.org;\r\n\tdomainkeys=pass header.d=example.com header.from=user@example.com "
            "header.b=\"dGhpcyBpcyBh\" (DKIM not checked: more than 1000 header fields)");
  r.domainkeys.reset();
  EXPECT_EQ(auth_results_value(r, "mx.example.org"),
            " mx.example.org;\r\n\tnone (DKIM not checked: more than 1000 header fields)");
}

// The per-message log line names every result, in order, and cuts what it copies.
TEST(MessageReport, ResultSummary) {
  MessageReport r;
  EXPECT_EQ(result_summary(r), "spf=none (no client address) dkim=none domainkeys=none");
  r.decided = true;
  r.sender = "user@example.com";
  r.helo = "mail.example.com";
  r.decision.helo.checked = true;
  r.decision.helo.outcome.result = spf::SpfResult::none;
  r.decision.mail_from.checked = true;
  r.decision.mail_from.outcome.result = spf::SpfResult::pass;
  dkim::SignatureResult good;
  good.result = dkim::Result::pass;
  good.d = "example.com";
  dkim::SignatureResult bad;
  bad.result = dkim::Result::fail;
  bad.d = std::string(500, 'x') + "\r\n.example";
  r.dkim = {good, bad};
  r.domainkeys = dk_pass();
  auto got = result_summary(r);
  EXPECT_TRUE(got.starts_with("spf=pass (mailfrom) spf=none (helo) dkim=pass (d=example.com) dkim=fail (d=xxx"))
      << got;
  EXPECT_TRUE(got.ends_with(") domainkeys=pass")) << got;
  EXPECT_EQ(got.find_first_of("\r\n"), std::string::npos);
  EXPECT_LE(got.size(), 100 + kMaxLogValueOctets + 3);
  r.decision.skipped = std::string(decision::kSkipAuthenticated);
  r.dkim.clear();
  r.domainkeys.reset();
  EXPECT_EQ(result_summary(r),
            "spf=skipped (SASL authenticated client is always allowed) dkim=none domainkeys=none");
}

TEST(Pvalue, TokensMailboxesAndQuoting) {
  struct Case {
    std::string in, want;
  } cases[] = {
      {"example.com", "example.com"},
      {"user@example.com", "user@example.com"},
      {"@example.com", "@example.com"},
      {"a b", "\"a b\""},
      {"x;y", "\"x;y\""},
      {"q\"uote", "\"q\\\"uote\""},
      {"", "\"\""},
  };
  for (const auto& c : cases) EXPECT_EQ(pvalue(c.in), c.want) << c.in;
}

std::vector<mail::HeaderField> block(std::string_view text) {
  auto parsed = mail::parse_header_block(text);
  EXPECT_TRUE(parsed.has_value());
  return parsed ? *parsed : std::vector<mail::HeaderField>{};
}

TEST(AuthservId, ParsedThroughCfws) {
  struct Case {
    std::string value;
    std::optional<std::string> want;
  } cases[] = {
      {" mx.example.org; spf=pass", "mx.example.org"},
      {" (comment) mx.example.org 1; none", "mx.example.org"},
      {" (nested (comment \\) here)) MX.Example.ORG;", "MX.Example.ORG"},
      {"\r\n\t mx.example.org;", "mx.example.org"},
      {" \"mx.example.org\"; none", "mx.example.org"},
      {" ;", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(authserv_id_of(c.value), c.want) << c.value;
}

TEST(RemoveForged, EveryFieldWithOurIdHoweverWrittenAndInterleaved) {
  auto fields = block(
      "Received: from a by b\r\n"
      "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=a@b.example\r\n"
      "Authentication-Results: other.example.net; dkim=pass header.d=x.example\r\n"
      "From: someone@example.com\r\n"
      "authentication-results: MX.EXAMPLE.ORG; dkim=pass header.d=paypal.example\r\n"
      "Subject: hi\r\n"
      "AUTHENTICATION-RESULTS: (forged) mx.example.org (another comment); dkim=pass\r\n"
      "Authentication-Results:\r\n"
      "\tmx.example.org;\r\n"
      "\tspf=pass\r\n"
      "Authentication-Results: \"mx.example.org\"; none\r\n"
      "Authentication-Results: mx.example.org.evil.example; none\r\n"
      "Authentication-Results: (unterminated mx.example.org; dkim=pass\r\n"
      "X-Authentication-Results: mx.example.org; none\r\n"
      "To: you@example.org\r\n");
  auto forged = forged_fields(fields, "mx.example.org");
  EXPECT_EQ(forged.size(), 6u);
  auto removed = remove_forged(fields, "mx.example.org");
  EXPECT_EQ(removed, 6u);
  std::vector<std::string> names;
  for (const auto& f : fields) names.emplace_back(f.name());
  EXPECT_EQ(names, (std::vector<std::string>{"Received", "Authentication-Results", "From", "Subject",
                                             "Authentication-Results", "X-Authentication-Results", "To"}));
  EXPECT_NE(fields[1].value().find("other.example.net"), std::string_view::npos);
  EXPECT_NE(fields[4].value().find("mx.example.org.evil.example"), std::string_view::npos);
  EXPECT_EQ(remove_forged(fields, "mx.example.org"), 0u);
}

// A final dot names the same host: "mx.example.org." is our id, whichever side has it, in any
// case; a longer name is not.
TEST(RemoveForged, FinalDotIsTheSameName) {
  auto fields = block(
      "Authentication-Results: mx.example.org.; dkim=pass header.d=paypal.example\r\n"
      "Authentication-Results: MX.Example.ORG. ; spf=pass\r\n"
      "Authentication-Results: \"mx.example.org.\"; none\r\n"
      "Authentication-Results: mx.example.org.evil.; none\r\n");
  EXPECT_EQ(forged_fields(fields, "mx.example.org"), (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(forged_fields(fields, "mx.example.org."), (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_TRUE(claims_our_id(" mx.test.; dkim=pass", "mx.test"));
  EXPECT_TRUE(claims_our_id(" mx.test; dkim=pass", "MX.TEST."));
  EXPECT_FALSE(claims_our_id(" mx.test.example; dkim=pass", "mx.test"));
}

TEST(RemoveForged, DeepCommentNestingIsBounded) {
  std::string deep(kMaxCommentDepth + 5, '(');
  auto fields = block("Authentication-Results: " + deep + " mx.example.org; none\r\n");
  EXPECT_EQ(remove_forged(fields, "mx.example.org"), 1u);
}

}  // namespace
}  // namespace postseal::verifier
