// evaluate_test.cpp - the DMARC verdict: Author Domains from From (zero, several, unreadable),
// relaxed and strict alignment of SPF and DKIM (RFC 9989 Appendix B.1), p / sp / np (RFC 8020
// existence), t=y, several Author Domains (RFC 9989 11.5, kMaxAuthorDomains), DNS failures,
// each dmarc.enforce mode, trusted forwarders, temperror deferral, and the
// Authentication-Results and SMTP reply texts.
#include "core/dmarc/auth_result.hpp"
#include "core/dmarc/evaluate.hpp"

#include "core/dns/memory_zone.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace postseal::dmarc {
namespace {

using dns::MemoryZone;
using dns::RrType;

void txt(MemoryZone& zone, std::string_view name, std::string text) {
  zone.add(name, dns::Record{.type = RrType::txt, .strings = {std::move(text)}});
}

void host(MemoryZone& zone, std::string_view name) {
  zone.add(name, dns::Record{.type = RrType::a, .address = asio::ip::make_address("192.0.2.1")});
}

Verdict run(const Message& message, MemoryZone& zone, const Options& options = {},
            Mode mode = Mode::treewalk) {
  asio::io_context io;
  Discovery discovery(zone, mode);
  Verdict out;
  asio::co_spawn(io, evaluate(message, options, discovery),
                 [&](std::exception_ptr e, Verdict v) {
                   if (e) std::rethrow_exception(e);
                   out = std::move(v);
                 });
  io.run();
  return out;
}

Message from(std::string value) {
  Message m;
  m.from_fields = {std::move(value)};
  return m;
}

Message with_spf(Message m, std::string domain, bool pass = true) {
  m.spf_domain = std::move(domain);
  m.spf_pass = pass;
  return m;
}

Message with_dkim(Message m, std::string d, bool pass = true) {
  m.dkim.push_back({std::move(d), "s1", pass});
  return m;
}

void example_zone(MemoryZone& zone, std::string record = "v=DMARC1; p=reject") {
  txt(zone, "_dmarc.example.com", std::move(record));
  host(zone, "example.com");
  host(zone, "child.example.com");
}

// Author Domains (and their errors) come from the one address parser (core/mail/address), for
// bare addr-specs as for name-addrs and lists.
TEST(DmarcEvaluate, AuthorDomainsOfBareAddresses) {
  using Domains = std::vector<std::string>;
  EXPECT_EQ(author_domains({"user@EXAMPLE.com."}).value(), Domains{"example.com"});
  EXPECT_EQ(author_domains({"a@b@Example.COM"}).value(), Domains{"example.com"});
  EXPECT_EQ(author_domains({"a@-x.example"}).value(), Domains{"-x.example"});
  EXPECT_EQ(author_domains({"a@exa mple.com"}).value(), Domains{"example.com"});
  EXPECT_EQ(author_domains({"a@example.com", "b@EXAMPLE.com", "c@example.net"}).value(),
            (Domains{"example.com", "example.net"}));
  EXPECT_EQ(author_domains({"a@x.example, <b@example.com>"}).value(),
            (Domains{"x.example", "example.com"}));
  EXPECT_NE(author_domains({"@example.com"}).error().find("no address"), std::string::npos);
  EXPECT_NE(author_domains({"a@"}).error().find("no address"), std::string::npos);
  EXPECT_NE(author_domains({"a@example..com"}).error().find("empty label"), std::string::npos);
  EXPECT_NE(author_domains({"a@example.com.."}).error().find("empty label"), std::string::npos);
  EXPECT_NE(author_domains({"a@[192.0.2.1]"}).error().find("not an ASCII DNS name"),
            std::string::npos);
  EXPECT_NE(author_domains({"a@ex!ample.com"}).error().find("not an ASCII DNS name"),
            std::string::npos);
}

TEST(DmarcEvaluate, Rfc9989B1SpfExamples) {
  MemoryZone zone;
  example_zone(zone);
  EXPECT_EQ(run(with_spf(from(" sender@example.com"), "example.com"), zone).result,
            Result::pass);  // Example 1, strict
  EXPECT_EQ(run(with_spf(from(" sender@example.com"), "child.example.com"), zone).result,
            Result::pass);  // Example 2, relaxed
  Verdict no = run(with_spf(from(" sender@child.example.com"), "example.net"), zone);
  EXPECT_EQ(no.result, Result::fail);  // Example 3
  EXPECT_EQ(no.header_from, "child.example.com");
}

TEST(DmarcEvaluate, Rfc9989B1DkimExamples) {
  MemoryZone zone;
  example_zone(zone);
  EXPECT_EQ(run(with_dkim(from(" sender@example.com"), "example.com"), zone).result,
            Result::pass);
  EXPECT_EQ(run(with_dkim(from(" sender@child.example.com"), "example.com"), zone).result,
            Result::pass);
  EXPECT_EQ(run(with_dkim(from(" sender@child.example.com"), "example.net"), zone).result,
            Result::fail);
}

TEST(DmarcEvaluate, FailingIdentifiersNeverAlign) {
  MemoryZone zone;
  example_zone(zone);
  Message m = with_dkim(with_spf(from(" a@example.com"), "example.com", false), "example.com",
                        false);
  Verdict v = run(m, zone);
  EXPECT_EQ(v.result, Result::fail);
  EXPECT_EQ(v.policy, Policy::reject);
  EXPECT_EQ(v.action, Action::reject);
}

TEST(DmarcEvaluate, StrictAlignment) {
  MemoryZone zone;
  example_zone(zone, "v=DMARC1; p=reject; adkim=s; aspf=s");
  EXPECT_EQ(run(with_spf(from(" a@example.com"), "child.example.com"), zone).result, Result::fail);
  EXPECT_EQ(run(with_dkim(from(" a@example.com"), "child.example.com"), zone).result,
            Result::fail);
  EXPECT_EQ(run(with_dkim(from(" a@example.com"), "EXAMPLE.com."), zone).result, Result::pass);
  MemoryZone relaxed_spf;
  example_zone(relaxed_spf, "v=DMARC1; p=reject; adkim=s");
  EXPECT_EQ(run(with_spf(from(" a@example.com"), "child.example.com"), relaxed_spf).result,
            Result::pass);
}

TEST(DmarcEvaluate, AlignedDkimPassWithSpfFail) {
  MemoryZone zone;
  example_zone(zone);
  Message m = with_dkim(with_spf(from(" a@example.com"), "bounce.other.example", false),
                        "mail.example.com");
  Verdict v = run(m, zone);
  EXPECT_EQ(v.result, Result::pass);
  ASSERT_EQ(v.authors.size(), 1u);
  EXPECT_TRUE(v.authors[0].dkim_aligned);
  EXPECT_FALSE(v.authors[0].spf_aligned);
  EXPECT_EQ(v.action, Action::accept);
}

TEST(DmarcEvaluate, NoRecordIsNone) {
  MemoryZone zone;
  Verdict v = run(from(" a@example.org"), zone);
  EXPECT_EQ(v.result, Result::none);
  EXPECT_EQ(v.action, Action::accept);
  EXPECT_EQ(v.header_from, "example.org");
}

TEST(DmarcEvaluate, SubdomainPolicies) {
  MemoryZone zone;
  example_zone(zone, "v=DMARC1; p=none; sp=quarantine; np=reject");
  Verdict own = run(from(" a@example.com"), zone);
  EXPECT_EQ(own.policy, Policy::none);  // the Author Domain's record: p
  Verdict existing = run(from(" a@child.example.com"), zone);
  EXPECT_EQ(existing.policy, Policy::quarantine);  // existing subdomain: sp
  Verdict missing = run(from(" a@nosuch.example.com"), zone);
  EXPECT_EQ(missing.policy, Policy::reject);  // NXDOMAIN subdomain: np (RFC 8020)
  EXPECT_EQ(missing.action, Action::reject);
}

TEST(DmarcEvaluate, NpAbsentFallsBackToSpThenP) {
  MemoryZone with_sp;
  example_zone(with_sp, "v=DMARC1; p=reject; sp=quarantine");
  EXPECT_EQ(run(from(" a@nosuch.example.com"), with_sp).policy, Policy::quarantine);
  MemoryZone only_p;
  example_zone(only_p, "v=DMARC1; p=reject");
  EXPECT_EQ(run(from(" a@nosuch.example.com"), only_p).policy, Policy::reject);
  EXPECT_EQ(only_p.queries().size(), 3u);  // the walk only: no existence query without np
}

TEST(DmarcEvaluate, ExistenceTimeoutIsTemperror) {
  MemoryZone zone;
  example_zone(zone, "v=DMARC1; p=none; np=reject");
  zone.add_timeout("slow.example.com");
  Verdict v = run(from(" a@slow.example.com"), zone);
  EXPECT_EQ(v.result, Result::temperror);
}

TEST(DmarcEvaluate, TestModeLowersOneLevel) {
  MemoryZone reject;
  example_zone(reject, "v=DMARC1; p=reject; t=y");
  Verdict v = run(from(" a@example.com"), reject);
  EXPECT_EQ(v.result, Result::fail);
  EXPECT_EQ(v.policy, Policy::quarantine);
  EXPECT_EQ(v.action, Action::quarantine);
  MemoryZone quarantine;
  example_zone(quarantine, "v=DMARC1; p=quarantine; t=y");
  Verdict q = run(from(" a@example.com"), quarantine);
  EXPECT_EQ(q.policy, Policy::none);
  EXPECT_EQ(q.action, Action::accept);
  EXPECT_EQ(q.override_reason, Override::none);
  EXPECT_EQ(lower_policy(Policy::none), Policy::none);
}

TEST(DmarcEvaluate, FromWithoutAuthorDomain) {
  MemoryZone zone;
  example_zone(zone);
  for (const Message& m : {Message{}, from(" undisclosed-recipients:;"), from(" <<<"),
                           from(" a@[192.0.2.1]"), from(" a@b\xc3\xa9.example")}) {
    Verdict v = run(m, zone);
    EXPECT_EQ(v.result, Result::permerror);
    EXPECT_FALSE(v.reason.empty());
    EXPECT_EQ(v.action, Action::accept);
  }
  EXPECT_TRUE(zone.queries().empty());
}

TEST(DmarcEvaluate, SeveralAuthorDomainsStrictestFailingPolicy) {
  MemoryZone zone;
  example_zone(zone, "v=DMARC1; p=quarantine");
  txt(zone, "_dmarc.example.net", "v=DMARC1; p=reject");
  txt(zone, "_dmarc.example.org", "v=DMARC1; p=none");
  Message m = with_dkim(from(" a@example.org, b@example.com, c@example.net"), "example.org");
  Verdict v = run(m, zone);
  EXPECT_EQ(v.result, Result::fail);
  EXPECT_EQ(v.header_from, "example.net");
  EXPECT_EQ(v.policy, Policy::reject);
  ASSERT_EQ(v.authors.size(), 3u);
  EXPECT_EQ(v.authors[0].result, Result::pass);
  // Two From fields count alike, and one domain twice is one Author Domain.
  Message two_fields;
  two_fields.from_fields = {" a@example.org", " x@example.org, y@example.com"};
  Verdict w = run(with_dkim(two_fields, "example.org"), zone);
  EXPECT_EQ(w.authors.size(), 2u);
  EXPECT_EQ(w.header_from, "example.com");
  EXPECT_EQ(w.policy, Policy::quarantine);
}

TEST(DmarcEvaluate, LimitAuthorDomains) {
  MemoryZone zone;
  std::string value;
  for (std::size_t i = 0; i <= kMaxAuthorDomains; ++i) {
    value += (i ? ", a@d" : " a@d") + std::to_string(i) + ".example";
  }
  Verdict v = run(from(value), zone);
  EXPECT_EQ(v.authors.size(), kMaxAuthorDomains);
  EXPECT_EQ(v.result, Result::permerror);
  txt(zone, "_dmarc.d0.example", "v=DMARC1; p=reject");
  EXPECT_EQ(run(from(value), zone).result, Result::fail);  // a checked domain fails
}

TEST(DmarcEvaluate, LimitDkimIdentifiers) {
  MemoryZone zone;
  example_zone(zone);
  Message m = from(" a@example.com");
  for (std::size_t i = 0; i < kMaxDkimIdentifiers; ++i) {
    m = with_dkim(m, "d" + std::to_string(i) + ".example");
  }
  m = with_dkim(m, "example.com");  // one past the limit: never checked
  EXPECT_EQ(run(m, zone).result, Result::fail);
}

TEST(DmarcEvaluate, DnsFailureIsTemperror) {
  MemoryZone zone;
  zone.add_timeout("_dmarc.example.com");
  Verdict v = run(from(" a@example.com"), zone);
  EXPECT_EQ(v.result, Result::temperror);
  EXPECT_EQ(v.action, Action::accept);
  Options defer;
  defer.temperror_defer = true;
  EXPECT_EQ(run(from(" a@example.com"), zone, defer).action, Action::defer);
}

TEST(DmarcEvaluate, AlignmentDnsFailureIsTemperrorUnlessAnotherAligns) {
  MemoryZone zone;
  example_zone(zone);
  zone.add_timeout("_dmarc.slow.example.com");
  Message m = with_dkim(from(" a@example.com"), "slow.example.com");
  EXPECT_EQ(run(m, zone).result, Result::temperror);
  EXPECT_EQ(run(with_spf(m, "example.com"), zone).result, Result::pass);
}

TEST(DmarcEvaluate, EnforceModes) {
  struct Case {
    std::string record;
    Enforce enforce;
    Action want;
    Override why;
  };
  const Case cases[] = {
      {"v=DMARC1; p=reject", Enforce::policy, Action::reject, Override::none},
      {"v=DMARC1; p=quarantine", Enforce::policy, Action::quarantine, Override::none},
      {"v=DMARC1; p=reject", Enforce::quarantine_only, Action::quarantine, Override::local_policy},
      {"v=DMARC1; p=quarantine", Enforce::quarantine_only, Action::quarantine, Override::none},
      {"v=DMARC1; p=reject", Enforce::monitor, Action::accept, Override::local_policy},
      {"v=DMARC1; p=none", Enforce::policy, Action::accept, Override::none},
  };
  for (const auto& c : cases) {
    MemoryZone zone;
  example_zone(zone, c.record);
    Options options;
    options.enforce = c.enforce;
    Verdict v = run(from(" a@example.com"), zone, options);
    EXPECT_EQ(v.action, c.want) << c.record << " " << to_string(c.enforce);
    EXPECT_EQ(v.override_reason, c.why) << c.record << " " << to_string(c.enforce);
  }
  EXPECT_EQ(enforce_from_string("quarantine-only"), Enforce::quarantine_only);
  EXPECT_FALSE(enforce_from_string("reject").has_value());
}

TEST(DmarcEvaluate, TrustedForwarders) {
  MemoryZone zone;
  example_zone(zone);
  Options options;
  ASSERT_TRUE(options.trusted_forwarders.add("198.51.100.0/24").has_value());
  Message m = from(" a@example.com");
  m.client = asio::ip::make_address("198.51.100.7");
  Verdict v = run(m, zone, options);
  EXPECT_EQ(v.result, Result::fail);
  EXPECT_EQ(v.action, Action::accept);
  EXPECT_EQ(v.override_reason, Override::forwarded);
  m.client = asio::ip::make_address("203.0.113.7");
  EXPECT_EQ(run(m, zone, options).action, Action::reject);
}

TEST(DmarcEvaluate, PslModeAlignment) {
  auto psl = PublicSuffixList::load(kDebianPublicSuffixList);
  ASSERT_TRUE(psl.has_value());
  MemoryZone zone;
  txt(zone, "_dmarc.example.co.uk", "v=DMARC1; p=reject");
  asio::io_context io;
  Discovery discovery(zone, Mode::psl, &*psl);
  Verdict v;
  Message m = with_dkim(from(" a@news.example.co.uk"), "mail.example.co.uk");
  asio::co_spawn(io, evaluate(m, {}, discovery), [&](std::exception_ptr, Verdict got) { v = got; });
  io.run();
  EXPECT_EQ(v.result, Result::pass);
}

TEST(DmarcEvaluate, AuthenticationResultsText) {
  MemoryZone zone;
  example_zone(zone);
  Verdict fail = run(from(" a@example.com"), zone);
  EXPECT_EQ(format_result(fail),
            "dmarc=fail (no aligned SPF or DKIM pass) header.from=example.com "
            "policy.dmarc=reject");
  EXPECT_EQ(reject_reply(fail), "550 5.7.1 Email rejected per DMARC policy for example.com");
  Verdict pass = run(with_dkim(from(" a@example.com"), "example.com"), zone);
  EXPECT_EQ(format_result(pass), "dmarc=pass header.from=example.com");
  Verdict none = run(Message{}, zone);
  EXPECT_EQ(format_result(none), "dmarc=permerror (no From header field)");
  EXPECT_EQ(defer_reply(fail).substr(0, 10), "451 4.7.1 ");
}

}  // namespace
}  // namespace postseal::dmarc
