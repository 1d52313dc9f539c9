// dmarc_lint_test.cpp - `postseal dns-check`'s DMARC lint against an in-memory zone: where the
// policy comes from (own record, Organizational Domain by tree walk, PSD, PSL mode), no record,
// several records (RFC 9989 4.10), a near-miss v= tag, problems by tag (bad p=, bad URIs,
// unknown tags and removed pct/rf/ri as information), external report destinations (RFC 9990)
// and our signer's d= against the From domain under adkim=r and adkim=s, including a
// subdomain signed by its parent (subdomains = true) and a domain we do not sign for.
#include "keys/dmarc_lint.hpp"

#include "core/dns/memory_zone.hpp"

#include <gtest/gtest.h>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace postseal::keys {
namespace {

using dns::MemoryZone;
using dns::RrType;

void txt(MemoryZone& zone, std::string_view name, std::string text) {
  zone.add(name, dns::Record{.type = RrType::txt, .strings = {std::move(text)}});
}

DmarcLint lint(MemoryZone& zone, std::string domain, std::vector<SignerDomain> signers = {},
               dmarc::Mode mode = dmarc::Mode::treewalk,
               const dmarc::PublicSuffixList* psl = nullptr) {
  asio::io_context io;
  DmarcLint out;
  asio::co_spawn(io, lint_dmarc(zone, mode, psl, std::move(domain), std::move(signers)),
                 [&](std::exception_ptr e, DmarcLint l) {
                   if (e) std::rethrow_exception(e);
                   out = std::move(l);
                 });
  io.run();
  return out;
}

// finding - the first finding about `tag` whose text holds `part`, else nullptr.
const Finding* finding(const DmarcLint& l, std::string_view tag, std::string_view part = "") {
  for (const auto& f : l.findings) {
    if (f.tag == tag && f.text.find(part) != std::string::npos) return &f;
  }
  return nullptr;
}

std::string dump(const DmarcLint& l) {
  std::string out;
  for (const auto& f : l.findings) {
    out += std::string(to_string(f.severity)) + " " + f.tag + ": " + f.text + "\n";
  }
  return out;
}

TEST(DmarcLint, OwnRecordAlignedSigner) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=reject; rua=mailto:dmarc@example.com");
  DmarcLint l = lint(zone, "example.com", {{"example.com", false}});
  EXPECT_FALSE(l.has_problem()) << dump(l);
  EXPECT_EQ(l.discovery.status, dmarc::Status::found);
  EXPECT_TRUE(l.discovery.author_record);
  const Finding* d = finding(l, "discovery", "own record: p=reject");
  ASSERT_NE(d, nullptr) << dump(l);
  EXPECT_EQ(d->severity, Severity::ok);
  const Finding* a = finding(l, "adkim", "signer d=example.com aligns");
  ASSERT_NE(a, nullptr) << dump(l);
  EXPECT_EQ(a->severity, Severity::ok);
  ASSERT_FALSE(l.trace.empty());
  EXPECT_EQ(l.trace.front().query, "_dmarc.example.com TXT");
}

TEST(DmarcLint, NoRecordIsAProblem) {
  MemoryZone zone;
  DmarcLint l = lint(zone, "mail.example.org");
  EXPECT_TRUE(l.has_problem());
  EXPECT_EQ(l.discovery.status, dmarc::Status::none);
  const Finding* d = finding(l, "discovery", "no DMARC record applies to mail.example.org");
  ASSERT_NE(d, nullptr) << dump(l);
  EXPECT_EQ(d->severity, Severity::problem);
  // The tree walk asked the name and its parents, as the verifier would.
  ASSERT_GE(l.trace.size(), 3u);
  EXPECT_EQ(l.trace[1].query, "_dmarc.example.org TXT");
}

TEST(DmarcLint, InheritedFromOrganizationalDomainSaysWhere) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine; np=reject");
  DmarcLint l = lint(zone, "news.example.com", {{"example.com", true}});
  EXPECT_EQ(l.discovery.policy_domain, "example.com");
  EXPECT_FALSE(l.discovery.author_record);
  const Finding* d = finding(l, "discovery", "policy comes from _dmarc.example.com");
  ASSERT_NE(d, nullptr) << dump(l);
  EXPECT_NE(d->text.find("Organizational Domain (tree walk)"), std::string::npos) << d->text;
  EXPECT_NE(d->text.find("sp=quarantine"), std::string::npos) << d->text;
  EXPECT_NE(d->text.find("np=reject"), std::string::npos) << d->text;
  // example.com's keys sign news.example.com with d=example.com: relaxed alignment only.
  const Finding* a = finding(l, "adkim", "signer d=example.com aligns with From news.example.com");
  ASSERT_NE(a, nullptr) << dump(l);
  EXPECT_EQ(a->severity, Severity::ok);
  EXPECT_NE(a->text.find("adkim=s would not align"), std::string::npos);
  EXPECT_FALSE(l.has_problem()) << dump(l);
}

TEST(DmarcLint, StrictAlignmentFailsForParentSigner) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=reject; adkim=s");
  DmarcLint l = lint(zone, "news.example.com", {{"example.com", true}});
  const Finding* a = finding(l, "adkim", "does not align");
  ASSERT_NE(a, nullptr) << dump(l);
  EXPECT_EQ(a->severity, Severity::problem);
  EXPECT_NE(a->text.find("adkim=s"), std::string::npos);
  EXPECT_TRUE(l.has_problem());
}

TEST(DmarcLint, DomainWeDoNotSignFor) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=none");
  DmarcLint l = lint(zone, "example.com", {{"example.net", true}, {"a.example.com", false}});
  const Finding* a = finding(l, "adkim", "does not sign mail from example.com");
  ASSERT_NE(a, nullptr) << dump(l);
  EXPECT_EQ(a->severity, Severity::problem);
}

TEST(DmarcLint, RelaxedAlignmentFailsBelowAPublicSuffixDomain) {
  // d=bank.example signs mybank.bank.example (subdomains = true), but bank.example publishes
  // psd=y: mybank.bank.example is its own Organizational Domain (RFC 9989 4.10.2), so even
  // relaxed alignment fails.
  MemoryZone zone;
  txt(zone, "_dmarc.bank.example", "v=DMARC1; p=reject; psd=y");
  DmarcLint l = lint(zone, "mybank.bank.example", {{"bank.example", true}});
  const Finding* a = finding(l, "adkim", "different Organizational Domains");
  ASSERT_NE(a, nullptr) << dump(l);
  EXPECT_EQ(a->severity, Severity::problem);
}

TEST(DmarcLint, NoSignerConfigIsInformation) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=quarantine; rua=mailto:d@example.com");
  DmarcLint l = lint(zone, "example.com");
  const Finding* a = finding(l, "adkim", "not checked");
  ASSERT_NE(a, nullptr) << dump(l);
  EXPECT_EQ(a->severity, Severity::info);
  EXPECT_FALSE(l.has_problem()) << dump(l);
}

TEST(DmarcLint, TagProblemsAndIgnoredTags) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com",
      "v=DMARC1; p=reject; adkim=x; pct=50; rf=afrf; ri=86400; foo=bar; "
      "rua=mailto:d@example.com,not a uri");
  DmarcLint l = lint(zone, "example.com", {{"example.com", false}});
  EXPECT_TRUE(l.has_problem());
  const Finding* adkim = finding(l, "adkim", "adkim=x is not valid");
  ASSERT_NE(adkim, nullptr) << dump(l);
  EXPECT_EQ(adkim->severity, Severity::problem);
  const Finding* uri = finding(l, "rua", "not a valid URI");
  ASSERT_NE(uri, nullptr) << dump(l);
  EXPECT_EQ(uri->severity, Severity::problem);
  for (std::string_view tag : {"pct", "rf", "ri"}) {
    const Finding* f = finding(l, tag, "removed by RFC 9989");
    ASSERT_NE(f, nullptr) << tag << "\n" << dump(l);
    EXPECT_EQ(f->severity, Severity::info);
  }
  const Finding* foo = finding(l, "foo", "not a DMARC tag");
  ASSERT_NE(foo, nullptr) << dump(l);
  EXPECT_EQ(foo->severity, Severity::info);
}

TEST(DmarcLint, RemovedTagsAloneAreNoProblem) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=reject; pct=100; rua=mailto:d@example.com");
  DmarcLint l = lint(zone, "example.com", {{"example.com", false}});
  EXPECT_FALSE(l.has_problem()) << dump(l);
  EXPECT_NE(finding(l, "pct"), nullptr);
}

TEST(DmarcLint, BadPolicyWithoutRuaIsUnusable) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=block");
  DmarcLint l = lint(zone, "example.com");
  EXPECT_EQ(l.discovery.status, dmarc::Status::permerror);
  const Finding* p = finding(l, "p", "p=block is not valid");
  ASSERT_NE(p, nullptr) << dump(l);
  EXPECT_EQ(p->severity, Severity::problem);
  EXPECT_NE(finding(l, "discovery", "unusable"), nullptr) << dump(l);
}

TEST(DmarcLint, BadPolicyWithRuaFallsBackToNone) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=block; rua=mailto:d@example.com");
  DmarcLint l = lint(zone, "example.com");
  EXPECT_EQ(l.discovery.status, dmarc::Status::found);
  const Finding* p = finding(l, "p", "treated as p=none");
  ASSERT_NE(p, nullptr) << dump(l);
  EXPECT_EQ(p->severity, Severity::problem);
}

TEST(DmarcLint, SeveralRecordsAreAllDiscarded) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=reject");
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=none");
  DmarcLint l = lint(zone, "example.com");
  const Finding* r = finding(l, "record", "2 DMARC records");
  ASSERT_NE(r, nullptr) << dump(l);
  EXPECT_EQ(r->severity, Severity::problem);
  EXPECT_EQ(l.discovery.status, dmarc::Status::none);
}

TEST(DmarcLint, NearMissVersionTag) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "p=reject; v=DMARC1");
  DmarcLint l = lint(zone, "example.com");
  const Finding* v = finding(l, "v", "must start with v=DMARC1");
  ASSERT_NE(v, nullptr) << dump(l);
  EXPECT_EQ(v->severity, Severity::problem);
}

TEST(DmarcLint, MalformedRecord) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=reject; p=none");
  DmarcLint l = lint(zone, "example.com");
  EXPECT_EQ(l.discovery.status, dmarc::Status::permerror);
  const Finding* d = finding(l, "discovery", "duplicate");
  ASSERT_NE(d, nullptr) << dump(l);
  EXPECT_EQ(d->severity, Severity::problem);
}

TEST(DmarcLint, PublicSuffixDomainRecord) {
  MemoryZone zone;
  txt(zone, "_dmarc.bank.example", "v=DMARC1; p=reject; psd=y");
  DmarcLint l = lint(zone, "mybank.bank.example");
  EXPECT_EQ(l.discovery.policy_domain, "bank.example");
  EXPECT_NE(finding(l, "discovery", "Public Suffix Domain (psd=y)"), nullptr) << dump(l);
}

TEST(DmarcLint, ExternalReportDestinations) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com",
      "v=DMARC1; p=none; rua=mailto:d@example.com,mailto:agg@reports.example.net; "
      "ruf=mailto:f@other.example.org");
  txt(zone, "example.com._report._dmarc.reports.example.net", "v=DMARC1");
  DmarcLint l = lint(zone, "example.com", {{"example.com", false}});
  const Finding* ok = finding(l, "rua", "reports.example.net accepts reports for example.com");
  ASSERT_NE(ok, nullptr) << dump(l);
  EXPECT_EQ(ok->severity, Severity::ok);
  const Finding* bad = finding(l, "ruf", "other.example.org is another Organizational Domain");
  ASSERT_NE(bad, nullptr) << dump(l);
  EXPECT_EQ(bad->severity, Severity::problem);
  // The own-domain destination needs no authorisation record and none was asked for.
  for (const auto& step : l.trace) {
    EXPECT_EQ(step.query.find("._report._dmarc.example.com"), std::string::npos) << step.query;
  }
}

TEST(DmarcLint, DnsErrorIsAProblem) {
  MemoryZone zone;
  zone.add_timeout("_dmarc.example.com");
  DmarcLint l = lint(zone, "example.com");
  EXPECT_TRUE(l.has_problem());
  EXPECT_EQ(l.discovery.status, dmarc::Status::temperror);
  EXPECT_NE(finding(l, "record", "DNS error"), nullptr) << dump(l);
}

TEST(DmarcLint, PslMode) {
  auto psl = dmarc::PublicSuffixList::load(dmarc::kDebianPublicSuffixList);
  if (!psl) GTEST_SKIP() << psl.error();
  MemoryZone zone;
  txt(zone, "_dmarc.example.co.uk", "v=DMARC1; p=reject");
  DmarcLint l =
      lint(zone, "mail.example.co.uk", {{"example.co.uk", true}}, dmarc::Mode::psl, &*psl);
  EXPECT_EQ(l.discovery.policy_domain, "example.co.uk");
  EXPECT_NE(finding(l, "discovery", "public suffix list"), nullptr) << dump(l);
  EXPECT_NE(finding(l, "adkim", "aligns"), nullptr) << dump(l);
}

}  // namespace
}  // namespace postseal::keys
