// xml_test.cpp - the RFC 9990 document (xml.hpp), gzip (gzip.hpp) and the names a report
// carries (naming.hpp): hostile values escaped, non-ASCII kept when valid UTF-8, element
// order of the schema, the file name and Subject of RFC 9990 3.3; the RFC 7489 format's
// differences (namespace, required sp/pct/fo, envelope_from and spf, pass and t=y mapped).
#include "core/dmarc_report/xml.hpp"
#include "core/dmarc_report/gzip.hpp"
#include "core/dmarc_report/naming.hpp"
#include "tests/unit/dmarc_report/fixtures.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

namespace postseal::dmarc_report::test {
namespace {

std::string document(const DomainData& data, ReportFormat format = ReportFormat::rfc9990) {
  std::string out;
  ReportMetadata meta{"Receiver & Co", "dmarc@receiver.example", "",
                      "2023-11-14.example.com@receiver.example", period_of(kNow)};
  write_report(meta, data, [&](std::string_view s) { out += s; }, format);
  return out;
}

// gunzip - the inflated text of gzip data (for the round trip).
std::string gunzip(const std::string& data) {
  z_stream z{};
  inflateInit2(&z, 15 + 16);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[4096];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  inflateEnd(&z);
  EXPECT_EQ(rc, Z_STREAM_END);
  return out;
}

TEST(XmlText, Escaping) {
  struct Case {
    std::string in, want;
  } cases[] = {
      {"example.com", "example.com"},
      {"a<b>&\"c'", "a&lt;b&gt;&amp;&quot;c&apos;"},
      {"</header_from><x>", "&lt;/header_from&gt;&lt;x&gt;"},
      {"ex\xc3\xa4mple.de", "ex\xc3\xa4mple.de"},  // valid UTF-8 kept
      {"bad\xc3(", "bad?("},                       // truncated sequence
      {"\xed\xa0\x80", "???"},                     // surrogate
      {"\xc0\xaf", "??"},                          // overlong
      {"nul\x01tab\tlf\n", "nul?tab?lf?"},         // controls XML 1.0 cannot carry
  };
  for (const auto& c : cases) EXPECT_EQ(xml_text(c.in), c.want) << c.in;
}

TEST(Xml, HostileHeaderFromCannotAddElements) {
  Row hostile = row();
  hostile.header_from = "x.example</header_from><injected/>\"'&";
  DomainData data{policy(), {{encode_row(hostile), 2}}, 2, 0, 0};
  const auto xml = document(data);
  EXPECT_EQ(xml.find("<injected/>"), std::string::npos);
  EXPECT_NE(xml.find("<header_from>x.example&lt;/header_from&gt;&lt;injected/"
                     "&gt;&quot;&apos;&amp;</header_from>"),
            std::string::npos);
  EXPECT_NE(xml.find("<org_name>Receiver &amp; Co</org_name>"), std::string::npos);
}

TEST(Xml, DocumentFollowsTheSchemaOrder) {
  Row r = row();
  r.override_type = "trusted_forwarder";
  r.disposition = "none";
  DomainData data{policy(), {{encode_row(r), 7}}, 7, 0, 0};
  const auto xml = document(data);
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback "
                      "xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">",
                      0),
            0u);
  std::vector<std::string> order = {"<version>1.0</version>",
                                    "<report_metadata>",
                                    "<begin>1699920000</begin>",
                                    "<end>1700006399</end>",
                                    "<policy_published>",
                                    "<domain>example.com</domain>",
                                    "<p>reject</p>",
                                    "<sp>quarantine</sp>",
                                    "<discovery_method>treewalk",
                                    "<record>",
                                    "<source_ip>192.0.2.1</source_ip>",
                                    "<count>7</count>",
                                    "<disposition>none</disposition>",
                                    "<dkim>pass</dkim>",
                                    "<spf>pass</spf>",
                                    "<type>trusted_forwarder</type>",
                                    "<identifiers>",
                                    "<header_from>example.com",
                                    "<envelope_from>example.com",
                                    "<auth_results>",
                                    "<selector>sel1</selector>",
                                    "<scope>mfrom</scope>",
                                    "</feedback>"};
  std::size_t at = 0;
  for (const auto& piece : order) {
    auto found = xml.find(piece, at);
    ASSERT_NE(found, std::string::npos) << piece;
    at = found;
  }
  EXPECT_EQ(xml.find("<np>"), std::string::npos);  // absent in the record: not reported
}

TEST(Xml, Rfc7489FormatFollowsItsSchema) {
  Row r = row();
  r.disposition = "pass";              // RFC 7489 knows no "pass" disposition
  r.override_type = "policy_test_mode";  // RFC 9989 t=y: 7489's analogue is sampled_out
  r.envelope_from.clear();             // null sender: envelope_from is still required
  Row no_spf = row("192.0.2.9");
  no_spf.spf_domain.clear();
  auto p = policy();
  p.sp.clear();
  p.np = "reject";
  DomainData data{p, {{encode_row(r), 3}, {encode_row(no_spf), 1}}, 4, 0, 0};
  auto d = document(data, ReportFormat::rfc7489);
  EXPECT_NE(d.find("<feedback xmlns=\"http://dmarc.org/dmarc-xml/0.1\">"), std::string::npos) << d;
  EXPECT_EQ(d.find("generator"), std::string::npos);
  EXPECT_EQ(d.find("<np>"), std::string::npos);
  EXPECT_EQ(d.find("<testing>"), std::string::npos);
  EXPECT_EQ(d.find("discovery_method"), std::string::npos);
  EXPECT_NE(d.find("<p>reject</p>\n    <sp>reject</sp>\n    <pct>100</pct>\n    <fo>0</fo>"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("<disposition>none</disposition>"), std::string::npos);
  EXPECT_EQ(d.find("<disposition>pass</disposition>"), std::string::npos);
  EXPECT_NE(d.find("<type>sampled_out</type>"), std::string::npos);
  EXPECT_NE(d.find("<envelope_from></envelope_from>\n      <header_from>example.com</header_from>"),
            std::string::npos)
      << d;
  // the row without SPF still has the one spf element the schema requires
  EXPECT_NE(d.find("<domain>example.com</domain>\n        <scope>mfrom</scope>\n        "
                   "<result>none</result>"),
            std::string::npos)
      << d;
  EXPECT_EQ(report_format_from_string("rfc7489"), ReportFormat::rfc7489);
  EXPECT_EQ(report_format_from_string("rfc9990"), ReportFormat::rfc9990);
  EXPECT_FALSE(report_format_from_string("RFC7489"));
}

TEST(Xml, LargeReportsAreStreamedInChunks) {
  DomainData data{policy(), {}, 0, 0, 0};
  for (int i = 0; i < 2000; ++i)
    data.rows.push_back({encode_row(row("198.51.100." + std::to_string(i % 250))), 1});
  std::size_t pieces = 0, largest = 0;
  ReportMetadata meta{"r", "d@r.example", "", "id@r.example", period_of(kNow)};
  write_report(meta, data, [&](std::string_view s) {
    ++pieces;
    largest = std::max(largest, s.size());
  });
  EXPECT_GT(pieces, 2u);
  EXPECT_LT(largest, kChunkOctets + 4096);
}

TEST(Gzip, RoundTrip) {
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "<record>" + std::to_string(i) + "</record>\n";
  GzipWriter w;
  w.write(text.substr(0, 1000));
  w.write(text.substr(1000));
  auto gz = w.finish();
  ASSERT_GE(gz.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);  // RFC 1952 ID1 ID2
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  EXPECT_LT(gz.size(), text.size() / 4);
  EXPECT_EQ(gunzip(gz), text);
}

TEST(Naming, FileNameSubjectAndReportId) {
  const Period p = period_of(kNow);
  const auto id = report_id("receiver.example", "example.com", p);
  EXPECT_EQ(id, "2023-11-14.example.com@receiver.example");
  const auto name = report_file_name("receiver.example", "example.com", p, id);
  EXPECT_EQ(name,
            "receiver.example!example.com!1699920000!1700006399!" + unique_id(id) + ".xml.gz");
  EXPECT_EQ(unique_id(id).size(), 16u);
  EXPECT_EQ(unique_id(id).find_first_not_of("0123456789abcdef"),
            std::string::npos);  // 1*(ALPHA / DIGIT)
  EXPECT_EQ(report_subject("example.com", "receiver.example", id),
            "Report Domain: example.com Submitter: receiver.example Report-ID: <" + id + ">");
  EXPECT_EQ(report_file_name("receiver.example", "example.com", p, id),
            name);  // a resend: the same name
}

}  // namespace
}  // namespace postseal::dmarc_report::test
