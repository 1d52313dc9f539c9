// zone_file_test.cpp - the --dns-zone reader: each type, RFC 1035 5.1 escapes (in strings and
// in names), parentheses, comments, $ORIGIN, $TTL, '@', relative names and blank owners as BIND
// writes them, TIMEOUT, errors with source and line, and every named limit.
#include "core/dns/zone_file.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>
#include <vector>

namespace postseal::dns {
namespace {

Answer look(const MemoryZone& z, std::string_view name, RrType type) { return z.answer(name, type); }

struct RecordCase {
  std::string text;
  std::string name;
  RrType type;
  std::string want;  // rendered: address, "pref host", host, or strings joined by '|'
};

std::string render(const Record& r) {
  switch (r.type) {
    case RrType::a:
    case RrType::aaaa: return r.address.to_string();
    case RrType::mx: return fmt::format("{} {}", r.preference, r.name);
    case RrType::txt:
    case RrType::spf: {
      std::string out;
      for (std::size_t i = 0; i < r.strings.size(); ++i) out += (i ? "|" : "") + r.strings[i];
      return out;
    }
    default: return r.name;
  }
}

TEST(ZoneFile, EachTypeAndSyntax) {
  const std::vector<RecordCase> cases = {
      {"example.com. 300 IN A 192.0.2.1", "example.com", RrType::a, "192.0.2.1"},
      {"example.com A 192.0.2.2", "example.com.", RrType::a, "192.0.2.2"},
      {"Example.COM. IN 60 A 192.0.2.3", "example.com", RrType::a, "192.0.2.3"},
      {"example.com. AAAA 2001:db8::25", "example.com", RrType::aaaa, "2001:db8::25"},
      {"example.com. mx 10 mail.example.com.", "example.com", RrType::mx, "10 mail.example.com"},
      {"example.com. MX 0 .", "example.com", RrType::mx, "0 "},
      {"25.2.0.192.in-addr.arpa. PTR mail.example.com.", "25.2.0.192.in-addr.arpa", RrType::ptr,
       "mail.example.com"},
      {"www.example.com. CNAME example.com.", "www.example.com", RrType::cname, "example.com"},
      {"example.com. NS ns1.example.com", "example.com", RrType::ns, "ns1.example.com"},
      {"example.com. TXT \"v=spf1 -all\"", "example.com", RrType::txt, "v=spf1 -all"},
      {"example.com. SPF \"v=spf1 -all\"", "example.com", RrType::spf, "v=spf1 -all"},
      {"example.com. TXT \"a b\" \"c\"", "example.com", RrType::txt, "a b|c"},
      {"example.com. TXT unquoted", "example.com", RrType::txt, "unquoted"},
      {"example.com. TXT \"\"", "example.com", RrType::txt, ""},
      {"example.com. TXT \"q\\\"uote\" \"back\\\\slash\"", "example.com", RrType::txt,
       "q\"uote|back\\slash"},
      {"example.com. TXT \"\\065\\066C\\;\"", "example.com", RrType::txt, "ABC;"},
      {"example.com. TXT \"semi;colon\" ; comment \"not data\"", "example.com", RrType::txt,
       "semi;colon"},
      {"s._domainkey.example.com. IN TXT ( \"v=DKIM1; k=rsa; \"\n  \"p=MIIB\" ) ; keygen",
       "s._domainkey.example.com", RrType::txt, "v=DKIM1; k=rsa; |p=MIIB"},
      {"x.example.com. IN TXT (\r\n \"one\" ; first\r\n\r\n \"two\"\r\n )\r\n", "x.example.com",
       RrType::txt, "one|two"},
      {"; only a comment\n\nexample.net. A 198.51.100.1", "example.net", RrType::a,
       "198.51.100.1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    MemoryZone zone;
    auto r = read_zone_text(c.text, "t", zone);
    ASSERT_TRUE(r.has_value()) << r.error();
    auto a = look(zone, c.name, c.type);
    ASSERT_EQ(a.rcode, Rcode::noerror);
    ASSERT_EQ(a.records.size(), 1u);
    EXPECT_EQ(render(a.records[0]), c.want);
  }
}

TEST(ZoneFile, BinaryEscapesKeepEveryOctet) {
  MemoryZone zone;
  ASSERT_TRUE(read_zone_text("b.example. TXT \"\\000\\255x\"", "t", zone));
  auto a = look(zone, "b.example", RrType::txt);
  ASSERT_EQ(a.records.size(), 1u);
  EXPECT_EQ(a.records[0].strings[0], std::string("\0\xffx", 3));
}

TEST(ZoneFile, TimeoutPseudoType) {
  MemoryZone zone;
  ASSERT_TRUE(read_zone_text("slow.example. TIMEOUT\nslow.example. A 192.0.2.9\n"
                             "gone.example. TIMEOUT",
                             "t", zone));
  EXPECT_EQ(look(zone, "slow.example", RrType::a).rcode, Rcode::noerror);
  EXPECT_EQ(look(zone, "slow.example", RrType::txt).rcode, Rcode::timeout);
  EXPECT_EQ(look(zone, "gone.example", RrType::mx).rcode, Rcode::timeout);
}

TEST(ZoneFile, SeveralRecordsAndLines) {
  MemoryZone zone;
  ASSERT_TRUE(read_zone_text("a.example. A 192.0.2.1\na.example. A 192.0.2.2\n"
                             "a.example. MX 20 mx2.example.\na.example. MX 10 mx1.example.\n",
                             "t", zone));
  EXPECT_EQ(look(zone, "a.example", RrType::a).records.size(), 2u);
  EXPECT_EQ(look(zone, "a.example", RrType::mx).records.size(), 2u);
}

struct ErrorCase {
  std::string text;
  std::string want;  // substring of the message, which must start with "src:LINE:"
  int line;
};

TEST(ZoneFile, ErrorsNameSourceAndLine) {
  const std::vector<ErrorCase> cases = {
      {"example.com. A 192.0.2.300", "bad A address", 1},
      {"ok.example. A 192.0.2.1\nexample.com. AAAA 192.0.2.1", "bad AAAA address", 2},
      {"\n\nexample.com. A", "takes 1 data field", 3},
      {"example.com. MX 70000 mail.example.", "bad MX preference", 1},
      {"example.com. MX ten mail.example.", "bad MX preference", 1},
      {"example.com. MX 10", "takes 2 data fields", 1},
      {"example.com. HINFO \"a\" \"b\"", "unsupported type", 1},
      {"example.com. 300 IN", "no type", 1},
      {"example.com. TXT \"open", "unterminated quoted string", 1},
      {"example.com. TXT \"bad\\", "at the end of a line", 1},
      {"example.com. TXT \"\\256\"", "at most 255", 1},
      {"example.com. TXT \"\\12\"", "three digits", 1},
      {"example.com. TXT", "at least one string", 1},
      {"x.example. A 192.0.2.1\nexample.com. TXT ( \"a\"\n\"b\"\n", "never closed", 2},
      {"example.com. TXT \"a\" )", "without '('", 1},
      {"example.com. TXT ( ( \"a\" ) )", "nested", 1},
      {"$INCLUDE other.zone", "directive", 1},
      {"$TTL 1h", "bad TTL", 1},
      {"$ORIGIN", "takes one field", 1},
      {"a.example. A 192.0.2.1\n$ORIGIN bad\x7forigin.", "bad character", 2},
      {"a\\.b.example. A 192.0.2.1", "escaped '.'", 1},
      {"a\\000.example. A 192.0.2.1", "bad label", 1},
      {"@ A 192.0.2.1", "$ORIGIN", 1},
      {"   A 192.0.2.1", "owner name", 1},
      {"bad..name. A 192.0.2.1", "bad label", 1},
      {"bad\x01name. A 192.0.2.1", "bad character", 1},
      {"a.example. CNAME bad\xc3\xa9target.", "bad character", 1},
      {"a.example. TIMEOUT 5", "no data", 1},
      {"a.example. 99999999999 A 192.0.2.1", "bad TTL", 1},
      {". A 192.0.2.1", "root", 1},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    MemoryZone zone;
    auto r = read_zone_text(c.text, "src", zone);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().rfind(fmt::format("src:{}: ", c.line), 0), 0u) << r.error();
    EXPECT_NE(r.error().find(c.want), std::string::npos) << r.error();
  }
}

// A zone as BIND tools write it: $ORIGIN, $TTL, relative names, '@', blank owners, \DDD and
// \X escapes in owner names, targets and TXT strings, and a record split by parentheses.
TEST(ZoneFile, MasterFileAsBindWritesIt) {
  const std::string text =
      "$TTL 3600\n"
      "$ORIGIN example.com.\n"
      "@\tIN A 192.0.2.1\n"
      "\tIN MX 10 mail\n"
      "mail 300 IN A 192.0.2.25\n"
      "foo\\058bar\\/baz IN TXT \"v=spf1 \\\"q\\\" \\059 \\\\ \\128end\"\n"
      "macro%percent\\032\\ space IN CNAME foo\\:bar/baz\n"
      "s._domainkey IN TXT ( \"v=DKIM1; \"  ; first half\n"
      "                     \"p=AB\" )\n"
      "$ORIGIN sub\n"
      "www CNAME @\n"
      "abs.example.net. A 192.0.2.7\n";
  MemoryZone zone;
  auto r = read_zone_text(text, "t", zone);
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(render(look(zone, "example.com", RrType::a).records.at(0)), "192.0.2.1");
  EXPECT_EQ(render(look(zone, "example.com", RrType::mx).records.at(0)), "10 mail.example.com");
  EXPECT_EQ(render(look(zone, "mail.example.com", RrType::a).records.at(0)), "192.0.2.25");
  auto txt = look(zone, "foo:bar/baz.example.com", RrType::txt);
  ASSERT_EQ(txt.records.size(), 1u);
  EXPECT_EQ(txt.records[0].strings.at(0), "v=spf1 \"q\" ; \\ \x80" "end");
  auto alias = look(zone, "macro%percent  space.example.com", RrType::txt);
  ASSERT_EQ(alias.records.size(), 1u) << "CNAME with escaped spaces followed to foo:bar/baz";
  EXPECT_EQ(render(look(zone, "s._domainkey.example.com", RrType::txt).records.at(0)),
            "v=DKIM1; |p=AB");
  EXPECT_EQ(render(look(zone, "www.sub.example.com", RrType::cname).records.at(0)),
            "sub.example.com");
  EXPECT_EQ(look(zone, "abs.example.net", RrType::a).records.size(), 1u);
  EXPECT_EQ(look(zone, "abs.example.net.sub.example.com", RrType::a).rcode, Rcode::nxdomain);
}

TEST(ZoneFile, BadLineInMasterFileNamesFileAndLine) {
  MemoryZone zone;
  auto r = read_zone_text("$ORIGIN example.com.\n@ A 192.0.2.1\nfoo\\058bar TXT \"ok\"\n"
                          "\tA 192.0.2.256\n",
                          "zones/x.zone", zone);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().rfind("zones/x.zone:4: bad A address", 0), 0u) << r.error();
  EXPECT_EQ(look(zone, "foo:bar.example.com", RrType::txt).records.size(), 1u);
}

TEST(ZoneFile, LimitLineLength) {
  std::string ok = "a.example. TXT \"x\" ;" + std::string(kMaxZoneLineLength - 20, 'c');
  ASSERT_EQ(ok.size(), kMaxZoneLineLength);
  MemoryZone zone;
  EXPECT_TRUE(read_zone_text(ok, "t", zone));
  auto r = read_zone_text(ok + "c", "t", zone);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("line too long"), std::string::npos);
}

TEST(ZoneFile, LimitStringLength) {
  std::string at = std::string(kMaxTxtStringLength, 'a');
  MemoryZone zone;
  ASSERT_TRUE(read_zone_text("a.example. TXT \"" + at + "\"", "t", zone));
  EXPECT_EQ(look(zone, "a.example", RrType::txt).records[0].strings[0].size(),
            kMaxTxtStringLength);
  auto r = read_zone_text("b.example. TXT \"" + at + "a\"", "t", zone);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("at most 255"), std::string::npos);
}

TEST(ZoneFile, LimitStringsPerRecord) {
  auto record = [](std::size_t n) {
    std::string s = "a.example. TXT";
    for (std::size_t i = 0; i < n; ++i) s += " \"s\"";
    return s;
  };
  MemoryZone zone;
  ASSERT_TRUE(read_zone_text(record(kMaxTxtStrings), "t", zone));
  auto r = read_zone_text(record(kMaxTxtStrings + 1), "t", zone);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("strings in one TXT"), std::string::npos);
}

TEST(ZoneFile, LimitRecordLines) {
  auto record = [](std::size_t lines) {
    std::string s = "a.example. TXT (";
    for (std::size_t i = 1; i < lines; ++i) s += "\n\"s\"";
    return s + " )";
  };
  MemoryZone zone;
  ASSERT_TRUE(read_zone_text(record(kMaxRecordLines), "t", zone));
  auto r = read_zone_text(record(kMaxRecordLines + 1), "t", zone);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("spans more than"), std::string::npos);
}

TEST(ZoneFile, LimitRecordCount) {
  std::string text;
  for (std::size_t i = 0; i < kMaxZoneRecords; ++i) text += "a.example. TIMEOUT\n";
  MemoryZone zone;
  ASSERT_TRUE(read_zone_text(text, "t", zone));
  text += "b.example. A 192.0.2.1\n";
  MemoryZone zone2;
  auto r = read_zone_text(text, "t", zone2);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().rfind(fmt::format("t:{}: ", kMaxZoneRecords + 1), 0), 0u) << r.error();
  EXPECT_NE(r.error().find("more than"), std::string::npos);
}

TEST(ZoneFile, LimitNameLength) {
  std::string label(kMaxLabelOctets, 'a');
  MemoryZone zone;
  EXPECT_TRUE(read_zone_text(label + ".example. A 192.0.2.1", "t", zone));
  EXPECT_FALSE(read_zone_text(label + "a.example. A 192.0.2.1", "t", zone));
  std::string name;
  while (name.size() + 4 <= kMaxDomainOctets) name += "abc.";
  name += std::string(kMaxDomainOctets - name.size(), 'x');
  ASSERT_EQ(name.size(), kMaxDomainOctets);
  EXPECT_TRUE(read_zone_text(name + ". A 192.0.2.1", "t", zone));
  EXPECT_FALSE(read_zone_text(name + "x. A 192.0.2.1", "t", zone));
}

TEST(ZoneFile, ReadsFilesAndNamesThem) {
  MemoryZone zone;
  auto path = std::string(POSTSEAL_TEST_DATA) + "/dns/example.zone";
  auto r = read_zone_file(path, zone);
  ASSERT_TRUE(r.has_value()) << r.error();
  auto dkim = look(zone, "s2026._domainkey.example.com", RrType::txt);
  ASSERT_EQ(dkim.records.size(), 1u);
  EXPECT_EQ(dkim.records[0].strings.size(), 2u);
  EXPECT_EQ(look(zone, "slow.example.com", RrType::txt).rcode, Rcode::timeout);

  auto bad = read_zone_file(std::string(POSTSEAL_TEST_DATA) + "/dns/bad.zone", zone);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("bad.zone:4: "), std::string::npos) << bad.error();

  auto missing = read_zone_file("/nonexistent/zone", zone);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("/nonexistent/zone: cannot open"), std::string::npos);
}

}  // namespace
}  // namespace postseal::dns
