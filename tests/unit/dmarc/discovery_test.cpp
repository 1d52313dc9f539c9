// discovery_test.cpp - RFC 9989 4.10 tree walks against an in-memory zone: the names asked
// (eight at most, names of more than eight labels shortened to seven), psd=y / psd=n stopping
// the walk, several records at one name discarded, Organizational Domain selection (4.10.2
// and the examples of Appendix B.4), policy discovery (4.10.1), DNS failures as temperror,
// malformed records as permerror, the RFC 8020 existence test, memoised answers, and the PSL
// mode (RFC 7489, Debian's publicsuffix list).
#include "core/dmarc/discovery.hpp"

#include "core/dns/memory_zone.hpp"
#include "tests/unit/run_awaitable.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
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

using postseal::test::run;

std::vector<std::string> asked(const MemoryZone& zone) {
  std::vector<std::string> out;
  for (const auto& [name, type] : zone.queries()) out.push_back(name);
  return out;
}

TEST(DmarcDiscovery, DomainNames) {
  EXPECT_EQ(domain_name("Mail.Example.COM."), "mail.example.com");
  EXPECT_EQ(domain_name("_dmarc.example.com"), "_dmarc.example.com");
  for (std::string_view bad : {"", ".", "a..b", "[192.0.2.1]", "ex ample.com", "b\xc3\xa9.example",
                               "a.b-\x01.example"}) {
    EXPECT_FALSE(domain_name(bad).has_value()) << bad;
  }
  EXPECT_FALSE(domain_name(std::string(64, 'a') + ".example").has_value());
  std::string long_name;
  while (long_name.size() < kMaxDomainOctets) long_name += "a.";
  long_name.resize(kMaxDomainOctets);
  if (long_name.back() == '.') long_name.back() = 'b';
  EXPECT_TRUE(domain_name(long_name).has_value());
  EXPECT_FALSE(domain_name(long_name + "b").has_value());
}

TEST(DmarcDiscovery, TreeWalkNames) {
  EXPECT_EQ(tree_walk_names("a.mail.example.com"),
            (std::vector<std::string>{"a.mail.example.com", "mail.example.com", "example.com",
                                      "com"}));
  EXPECT_EQ(tree_walk_names("com"), std::vector<std::string>{"com"});
  // RFC 9989 4.10: the example of eight queries for a name of thirteen labels.
  EXPECT_EQ(tree_walk_names("a.b.c.d.e.f.g.h.i.j.mail.example.com"),
            (std::vector<std::string>{"a.b.c.d.e.f.g.h.i.j.mail.example.com",
                                      "g.h.i.j.mail.example.com", "h.i.j.mail.example.com",
                                      "i.j.mail.example.com", "j.mail.example.com",
                                      "mail.example.com", "example.com", "com"}));
  // Eight labels: the parent has seven, no name is skipped.
  EXPECT_EQ(tree_walk_names("a.b.c.d.e.f.g.h").size(), 8u);
  EXPECT_EQ(tree_walk_names("a.b.c.d.e.f.g.h")[1], "b.c.d.e.f.g.h");
}

TEST(DmarcDiscovery, WalkOf127LabelsAsksEightNames) {
  std::string name;
  for (int i = 0; i < 126; ++i) name += "a.";
  name += "b";  // 127 labels, 253 octets
  ASSERT_TRUE(domain_name(name).has_value());
  MemoryZone zone;
  Discovery discovery(zone, Mode::treewalk, nullptr, Trace::on);
  PolicyDiscovery got = run(discovery.discover_policy(name));
  EXPECT_EQ(got.status, Status::none);
  // The first name, "_dmarc." + 253 octets, cannot be asked; the seven shortened ones are.
  EXPECT_EQ(discovery.trace().size(), kMaxTreeWalkQueries);
  EXPECT_EQ(zone.queries().size(), kMaxTreeWalkQueries - 1);
  EXPECT_NE(discovery.trace()[0].answer.find("not asked"), std::string::npos);
  EXPECT_EQ(asked(zone).front(), "_dmarc.a.a.a.a.a.a.b");
}

TEST(DmarcDiscovery, PolicyAtAuthorDomainIsOneQuery) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=reject");
  Discovery discovery(zone, Mode::treewalk, nullptr, Trace::on);
  PolicyDiscovery got = run(discovery.discover_policy("example.com"));
  ASSERT_EQ(got.status, Status::found);
  EXPECT_TRUE(got.author_record);
  EXPECT_EQ(got.policy_domain, "example.com");
  EXPECT_EQ(got.record.p, Policy::reject);
  EXPECT_EQ(asked(zone), std::vector<std::string>{"_dmarc.example.com"});
  ASSERT_EQ(discovery.trace().size(), 1u);
  EXPECT_EQ(discovery.trace()[0].query, "_dmarc.example.com TXT");
  EXPECT_EQ(discovery.trace()[0].answer, "\"v=DMARC1; p=reject\"");
}

TEST(DmarcDiscovery, WalkFindsOrganizationalDomainRecord) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=quarantine; sp=reject");
  Discovery discovery(zone, Mode::treewalk);
  PolicyDiscovery got = run(discovery.discover_policy("a.mail.example.com"));
  ASSERT_EQ(got.status, Status::found);
  EXPECT_FALSE(got.author_record);
  EXPECT_EQ(got.policy_domain, "example.com");
  EXPECT_EQ(asked(zone), (std::vector<std::string>{"_dmarc.a.mail.example.com",
                                                   "_dmarc.mail.example.com",
                                                   "_dmarc.example.com", "_dmarc.com"}));
}

TEST(DmarcDiscovery, PsdNStopsTheWalk) {
  MemoryZone zone;
  txt(zone, "_dmarc.mail.example.com", "v=DMARC1; p=reject; psd=n");
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=none");
  Discovery discovery(zone, Mode::treewalk);
  PolicyDiscovery got = run(discovery.discover_policy("a.mail.example.com"));
  ASSERT_EQ(got.status, Status::found);
  EXPECT_EQ(got.policy_domain, "mail.example.com");
  EXPECT_EQ(got.record.p, Policy::reject);
  EXPECT_EQ(zone.queries().size(), 2u);  // _dmarc.example.com and _dmarc.com never asked
  OrganizationalDomain org = run(discovery.organizational_domain("a.mail.example.com"));
  EXPECT_EQ(org.domain, "mail.example.com");
}

TEST(DmarcDiscovery, PsdYStopsTheWalkAndAppliesAsPsdPolicy) {
  MemoryZone zone;
  txt(zone, "_dmarc.bank.example", "v=DMARC1; p=reject; psd=y");
  txt(zone, "_dmarc.example", "v=DMARC1; p=none");
  Discovery discovery(zone, Mode::treewalk);
  PolicyDiscovery got = run(discovery.discover_policy("x.giant.bank.example"));
  ASSERT_EQ(got.status, Status::found);
  EXPECT_EQ(got.policy_domain, "bank.example");  // the PSD's record: no record at the OD
  EXPECT_EQ(got.record.p, Policy::reject);
  EXPECT_EQ(asked(zone), (std::vector<std::string>{"_dmarc.x.giant.bank.example",
                                                   "_dmarc.giant.bank.example",
                                                   "_dmarc.bank.example"}));
  OrganizationalDomain org = run(discovery.organizational_domain("x.giant.bank.example"));
  EXPECT_EQ(org.domain, "giant.bank.example");  // one label below the PSD
}

TEST(DmarcDiscovery, Rfc9989B43PsdExample) {
  MemoryZone zone;
  txt(zone, "_dmarc.bank.example", "v=DMARC1; p=reject; psd=y");
  txt(zone, "_dmarc.giant.bank.example", "v=DMARC1; p=quarantine");
  Discovery discovery(zone, Mode::treewalk);
  EXPECT_EQ(run(discovery.organizational_domain("giant.bank.example")).domain,
            "giant.bank.example");
  EXPECT_EQ(run(discovery.organizational_domain("mail.giant.bank.example")).domain,
            "giant.bank.example");
  EXPECT_EQ(run(discovery.organizational_domain("mail.mega.bank.example")).domain,
            "mega.bank.example");
  PolicyDiscovery got = run(discovery.discover_policy("giant.bank.example"));
  EXPECT_EQ(got.policy_domain, "giant.bank.example");
  EXPECT_EQ(got.record.p, Policy::quarantine);
}

TEST(DmarcDiscovery, Rfc9989B41AndB42OrganizationalDomains) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=reject");
  txt(zone, "_dmarc.signing.example.com", "v=DMARC1; p=none");
  Discovery discovery(zone, Mode::treewalk);
  EXPECT_EQ(run(discovery.organizational_domain("example.com")).domain, "example.com");
  EXPECT_EQ(run(discovery.organizational_domain("signing.example.com")).domain, "example.com");
  EXPECT_EQ(run(discovery.organizational_domain("a.b.c.d.e.f.g.h.i.j.k.example.com")).domain,
            "example.com");
  PolicyDiscovery deep = run(discovery.discover_policy("a.b.c.d.e.f.g.h.i.j.k.example.com"));
  EXPECT_EQ(deep.policy_domain, "example.com");
}

TEST(DmarcDiscovery, TraceOnlyWhenAsked) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=reject");
  Discovery quiet(zone, Mode::treewalk);
  PolicyDiscovery got = run(quiet.discover_policy("a.example.com"));
  EXPECT_EQ(got.status, Status::found);
  EXPECT_EQ(run(quiet.exists("a.example.com")), Existence::nxdomain);
  EXPECT_TRUE(quiet.trace().empty());
  Discovery traced(zone, Mode::treewalk, nullptr, Trace::on);
  EXPECT_EQ(run(traced.discover_policy("a.example.com")).policy_domain, got.policy_domain);
  EXPECT_EQ(run(traced.exists("a.example.com")), Existence::nxdomain);
  ASSERT_EQ(traced.trace().size(), 4u);  // a.example.com, example.com, com; then the A query
  EXPECT_EQ(traced.trace()[0].query, "_dmarc.a.example.com TXT");
  EXPECT_EQ(traced.trace()[0].answer, "NXDOMAIN");
  EXPECT_EQ(traced.trace()[1].answer, "\"v=DMARC1; p=reject\"");
  EXPECT_EQ(traced.trace()[2].query, "_dmarc.com TXT");
  EXPECT_EQ(traced.trace()[3].query, "a.example.com A");
}

TEST(DmarcDiscovery, OrganizationalDomainsAreMemoised) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=reject");
  zone.add_timeout("_dmarc.slow.example.org");
  Discovery discovery(zone, Mode::treewalk);
  EXPECT_EQ(run(discovery.organizational_domain("a.b.example.com")).domain, "example.com");
  std::size_t asked_before = zone.queries().size();
  EXPECT_EQ(run(discovery.organizational_domain("a.b.example.com")).domain, "example.com");
  EXPECT_EQ(run(discovery.organizational_domain("b.example.com")).domain, "example.com");
  EXPECT_EQ(zone.queries().size(), asked_before);
  EXPECT_EQ(run(discovery.organizational_domain("slow.example.org")).status, Status::temperror);
  EXPECT_EQ(run(discovery.organizational_domain("slow.example.org")).status, Status::temperror);
}

TEST(DmarcDiscovery, SelectOrganizationalDomain) {
  Record plain, psd_y, psd_n;
  psd_y.psd = Psd::y;
  psd_n.psd = Psd::n;
  EXPECT_EQ(select_organizational_domain("a.b.example", {}), "a.b.example");
  EXPECT_EQ(select_organizational_domain("a.b.example",
                                         {{"b.example", plain}, {"example", plain}}),
            "example");
  EXPECT_EQ(select_organizational_domain("a.b.example", {{"b.example", psd_n}}), "b.example");
  EXPECT_EQ(select_organizational_domain("a.b.example", {{"example", psd_y}}), "b.example");
  // psd=y at the starting domain itself: that domain (step 3, fewest labels).
  EXPECT_EQ(select_organizational_domain("b.example", {{"b.example", psd_y}}), "b.example");
}

TEST(DmarcDiscovery, SeveralRecordsAtOneNameAreDiscarded) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=reject");
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=none");
  txt(zone, "_dmarc.com", "v=DMARC1; p=quarantine; psd=y");
  Discovery discovery(zone, Mode::treewalk, nullptr, Trace::on);
  PolicyDiscovery got = run(discovery.discover_policy("example.com"));
  ASSERT_EQ(got.status, Status::found);
  EXPECT_EQ(got.policy_domain, "com");
  EXPECT_NE(discovery.trace()[0].answer.find("2 DMARC records"), std::string::npos);
}

TEST(DmarcDiscovery, NonDmarcTxtIsIgnoredAndStringsAreJoined) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "v=spf1 -all");
  zone.add("_dmarc.example.com",
           dns::Record{.type = RrType::txt, .strings = {"v=DMARC1; p=rej", "ect"}});
  Discovery discovery(zone, Mode::treewalk);
  PolicyDiscovery got = run(discovery.discover_policy("example.com"));
  ASSERT_EQ(got.status, Status::found);
  EXPECT_EQ(got.record.p, Policy::reject);
}

TEST(DmarcDiscovery, TemporaryFailureIsTemperror) {
  MemoryZone zone;
  zone.add_timeout("_dmarc.example.com");
  Discovery discovery(zone, Mode::treewalk);
  PolicyDiscovery got = run(discovery.discover_policy("mail.example.com"));
  EXPECT_EQ(got.status, Status::temperror);
  EXPECT_NE(got.detail.find("_dmarc.example.com"), std::string::npos);
  EXPECT_EQ(run(discovery.organizational_domain("x.example.com")).status, Status::temperror);
}

TEST(DmarcDiscovery, MalformedRecordIsPermerror) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=reject; p=none");
  Discovery discovery(zone, Mode::treewalk);
  PolicyDiscovery got = run(discovery.discover_policy("example.com"));
  EXPECT_EQ(got.status, Status::permerror);
  EXPECT_NE(got.detail.find("duplicate tag"), std::string::npos);
}

TEST(DmarcDiscovery, InvalidPolicyWithoutRuaIsPermerror) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=bogus");
  Discovery discovery(zone, Mode::treewalk);
  EXPECT_EQ(run(discovery.discover_policy("example.com")).status, Status::permerror);
}

TEST(DmarcDiscovery, AnswersAreMemoised) {
  MemoryZone zone;
  txt(zone, "_dmarc.example.com", "v=DMARC1; p=reject");
  Discovery discovery(zone, Mode::treewalk);
  run(discovery.discover_policy("a.example.com"));
  std::size_t first = zone.queries().size();
  run(discovery.organizational_domain("b.a.example.com"));
  EXPECT_EQ(zone.queries().size(), first + 1);  // only _dmarc.b.a.example.com is new
}

TEST(DmarcDiscovery, ExistenceByNxdomain) {
  MemoryZone zone;
  zone.add("real.example.com", dns::Record{.type = RrType::mx, .name = "mx.example.com"});
  zone.add_timeout("slow.example.com");
  Discovery discovery(zone, Mode::treewalk);
  EXPECT_EQ(run(discovery.exists("real.example.com")), Existence::exists);  // NODATA
  EXPECT_EQ(run(discovery.exists("nosuch.example.com")), Existence::nxdomain);
  EXPECT_EQ(run(discovery.exists("slow.example.com")), Existence::temperror);
}

TEST(DmarcDiscovery, PslMode) {
  auto psl = PublicSuffixList::load(kDebianPublicSuffixList);
  ASSERT_TRUE(psl.has_value()) << psl.error();
  EXPECT_EQ(psl->organizational_domain("a.mail.example.co.uk"), "example.co.uk");
  EXPECT_EQ(psl->organizational_domain("co.uk"), "co.uk");
  MemoryZone zone;
  txt(zone, "_dmarc.example.co.uk", "v=DMARC1; p=reject");
  txt(zone, "_dmarc.co.uk", "v=DMARC1; p=none; psd=y");
  Discovery discovery(zone, Mode::psl, &*psl);
  PolicyDiscovery got = run(discovery.discover_policy("a.mail.example.co.uk"));
  ASSERT_EQ(got.status, Status::found);
  EXPECT_EQ(got.policy_domain, "example.co.uk");
  EXPECT_EQ(asked(zone), (std::vector<std::string>{"_dmarc.a.mail.example.co.uk",
                                                   "_dmarc.example.co.uk"}));
  EXPECT_EQ(run(discovery.organizational_domain("x.example.co.uk")).domain, "example.co.uk");
  EXPECT_EQ(zone.queries().size(), 2u);  // PSL alignment asks no DNS
}

TEST(DmarcDiscovery, MissingPublicSuffixListIsAnError) {
  auto psl = PublicSuffixList::load("/nonexistent/public_suffix_list.dat");
  ASSERT_FALSE(psl.has_value());
  EXPECT_NE(psl.error().find("/nonexistent/public_suffix_list.dat"), std::string::npos);
}

}  // namespace
}  // namespace postseal::dmarc
