// record_test.cpp - the DMARC Policy Record parser: every tag of RFC 9989 4.7, its default,
// bad values falling back to defaults (4.8), v=DMARC1 first and case-sensitive, unknown and
// removed tags ignored, duplicate tags (RFC 6376 3.2 tag lists), invalid p/sp/np with and
// without rua (4.10.1), the limits, and the records of RFC 9989 Appendix B.2.
#include "core/dmarc/record.hpp"

#include "core/mail/tag_list.hpp"

#include <gtest/gtest.h>

#include <string>

namespace postseal::dmarc {
namespace {

Record parse_ok(std::string_view text) {
  auto r = parse_record(text);
  EXPECT_TRUE(r.has_value()) << text << ": " << (r ? "" : r.error().detail);
  return r ? *r : Record{};
}

TEST(DmarcRecord, Defaults) {
  Record r = parse_ok("v=DMARC1");
  EXPECT_EQ(r.p, Policy::none);
  EXPECT_FALSE(r.p_present);
  EXPECT_FALSE(r.sp.has_value());
  EXPECT_FALSE(r.np.has_value());
  EXPECT_EQ(r.psd, Psd::u);
  EXPECT_FALSE(r.t);
  EXPECT_EQ(r.adkim, Alignment::relaxed);
  EXPECT_EQ(r.aspf, Alignment::relaxed);
  EXPECT_TRUE(r.rua.empty());
  EXPECT_TRUE(r.ruf.empty());
  EXPECT_TRUE(r.fo.all_fail);
  EXPECT_FALSE(r.fo.any_fail || r.fo.dkim || r.fo.spf);
  EXPECT_FALSE(r.policy_tags_invalid);
}

TEST(DmarcRecord, EveryTag) {
  Record r = parse_ok(
      "v=DMARC1; p=reject; sp=quarantine; np=none; psd=n; t=y; adkim=s; aspf=s; "
      "rua=mailto:agg@example.com; ruf=mailto:fail@example.com; fo=1:d:s");
  EXPECT_EQ(r.p, Policy::reject);
  EXPECT_TRUE(r.p_present);
  EXPECT_EQ(r.sp, Policy::quarantine);
  EXPECT_EQ(r.np, Policy::none);
  EXPECT_EQ(r.psd, Psd::n);
  EXPECT_TRUE(r.t);
  EXPECT_EQ(r.adkim, Alignment::strict);
  EXPECT_EQ(r.aspf, Alignment::strict);
  EXPECT_EQ(r.rua, std::vector<std::string>{"mailto:agg@example.com"});
  EXPECT_EQ(r.ruf, std::vector<std::string>{"mailto:fail@example.com"});
  EXPECT_FALSE(r.fo.all_fail);
  EXPECT_TRUE(r.fo.any_fail && r.fo.dkim && r.fo.spf);
  EXPECT_TRUE(r.notes.empty());
}

TEST(DmarcRecord, ValuesAreCaseInsensitiveAndWhitespaceTolerant) {
  Record r = parse_ok("  v = DMARC1 ;p = REJECT; psd=Y ; t=N;adkim=S;");
  EXPECT_EQ(r.p, Policy::reject);
  EXPECT_EQ(r.psd, Psd::y);
  EXPECT_FALSE(r.t);
  EXPECT_EQ(r.adkim, Alignment::strict);
}

TEST(DmarcRecord, VersionMustComeFirstAndBeExact) {
  for (std::string_view text : {"p=reject; v=DMARC1", "v=DMARC2; p=reject", "v=dmarc1; p=reject",
                                "v=DMARC1x; p=reject", "", "v=spf1 -all", "x v=DMARC1"}) {
    auto r = parse_record(text);
    ASSERT_FALSE(r.has_value()) << text;
    EXPECT_EQ(r.error().error, RecordError::not_dmarc) << text;
    EXPECT_FALSE(is_dmarc_record(text)) << text;
  }
  EXPECT_TRUE(is_dmarc_record("v=DMARC1"));
  EXPECT_TRUE(is_dmarc_record("v=DMARC1;"));
}

TEST(DmarcRecord, BadValuesFallBackToDefaults) {
  Record r = parse_ok("v=DMARC1; p=reject; adkim=x; aspf=relaxed; psd=maybe; t=yes; fo=0:1");
  EXPECT_EQ(r.adkim, Alignment::relaxed);
  EXPECT_EQ(r.aspf, Alignment::relaxed);
  EXPECT_EQ(r.psd, Psd::u);
  EXPECT_FALSE(r.t);
  EXPECT_TRUE(r.fo.all_fail);
  EXPECT_FALSE(r.fo.any_fail);
  ASSERT_EQ(r.notes.size(), 5u);
  EXPECT_EQ(r.notes[0].tag, "adkim");
  EXPECT_EQ(r.notes[0].kind, NoteKind::bad_value);
  EXPECT_EQ(r.notes[4].tag, "fo");
  EXPECT_FALSE(r.policy_tags_invalid);
}

TEST(DmarcRecord, FailureOptionGrammar) {
  EXPECT_TRUE(parse_ok("v=DMARC1; fo=d").fo.dkim);
  EXPECT_TRUE(parse_ok("v=DMARC1; fo=d").fo.all_fail == false);
  EXPECT_TRUE(parse_ok("v=DMARC1; fo=0:s").fo.spf);
  EXPECT_FALSE(parse_ok("v=DMARC1; fo=d:d").fo.dkim);  // repeated value: invalid, default
  EXPECT_FALSE(parse_ok("v=DMARC1; fo=2").fo.any_fail);
}

TEST(DmarcRecord, UnknownAndRemovedTagsAreIgnored) {
  Record r = parse_ok("v=DMARC1; p=quarantine; pct=10; rf=afrf; ri=3600; future=1; x_y=2");
  EXPECT_EQ(r.p, Policy::quarantine);
  ASSERT_EQ(r.notes.size(), 5u);  // pct, rf and ri noted as removed, future and x_y as unknown
  EXPECT_EQ(r.notes[0].kind, NoteKind::removed_tag);
  EXPECT_EQ(r.notes[0].tag, "pct");
  EXPECT_EQ(r.notes[2].tag, "ri");
  EXPECT_EQ(r.notes[3].kind, NoteKind::unknown_tag);
  EXPECT_EQ(r.notes[3].tag, "future");
  EXPECT_EQ(r.notes[4].tag, "x_y");
}

TEST(DmarcRecord, DuplicateTagsOrNoTagListAreMalformed) {
  for (std::string_view text : {"v=DMARC1; p=none; p=reject", "v=DMARC1; p=reject; junk",
                                "v=DMARC1; 1p=reject", "v=DMARC1; v=DMARC1"}) {
    auto r = parse_record(text);
    ASSERT_FALSE(r.has_value()) << text;
    EXPECT_EQ(r.error().error, RecordError::malformed) << text;
  }
}

// The record parser splits tags itself (views, no copies); it must give the tags and the first
// error core/mail/tag_list gives.
TEST(DmarcRecord, TagSplittingMatchesTagList) {
  std::string many = "v=DMARC1";
  for (int i = 0; i < 70; ++i) many += "; x" + std::to_string(i) + "=1";
  for (std::string text :
       {std::string("v=DMARC1; p=reject;; ;\tsp = none ;"), std::string("v=DMARC1; p"),
        std::string("v=DMARC1; 1p=none"), std::string("v=DMARC1; p=none; p=none"),
        std::string("v=DMARC1; p=none; P=reject; p_x=1"), std::string("v=DMARC1; =x"),
        std::string("v=DMARC1; a=b=c; rua = mailto:a@example.com , mailto:b@example.com"),
        std::string("v=DMARC1; p=\r\n reject\r\n;"), many}) {
    auto list = mail::parse_tag_list(text);
    auto record = parse_record(text);
    if (!list) {
      ASSERT_FALSE(record.has_value()) << text;
      EXPECT_EQ(record.error().detail, mail::to_string(list.error())) << text;
      continue;
    }
    ASSERT_TRUE(record.has_value()) << text;
    std::size_t notes_of_tags = 0;  // every tag after v= is applied: known ones or noted
    for (std::size_t i = 1; i < list->tags.size(); ++i) {
      for (const Note& n : record->notes) notes_of_tags += n.tag == list->tags[i].first;
    }
    EXPECT_EQ(record->notes.empty(), notes_of_tags == 0) << text;
  }
  EXPECT_EQ(parse_ok("v=DMARC1; p=\r\n reject\r\n;").p, Policy::reject);
  EXPECT_EQ(parse_record(many).error().detail, "too many tags");
}

TEST(DmarcRecord, InvalidPolicyTags) {
  // RFC 9989 4.10.1: an invalid p, sp or np: p=none with a valid rua, else no processing.
  Record bad_p = parse_ok("v=DMARC1; p=bogus");
  EXPECT_TRUE(bad_p.policy_tags_invalid);
  EXPECT_FALSE(applicable(bad_p).has_value());
  Record bad_sp = parse_ok("v=DMARC1; p=reject; sp=bogus; rua=mailto:a@example.com");
  auto as_none = applicable(bad_sp);
  ASSERT_TRUE(as_none.has_value());
  EXPECT_EQ(as_none->p, Policy::none);
  EXPECT_FALSE(as_none->sp.has_value());
  Record bad_np = parse_ok("v=DMARC1; p=reject; np=maybe; rua=bad uri");
  EXPECT_FALSE(applicable(bad_np).has_value());
  Record absent_p = parse_ok("v=DMARC1; rua=mailto:a@example.com");  // 4.7: as p=none
  ASSERT_TRUE(applicable(absent_p).has_value());
  EXPECT_EQ(applicable(absent_p)->p, Policy::none);
}

TEST(DmarcRecord, UriLists) {
  Record r = parse_ok(
      "v=DMARC1; rua=mailto:a@example.com!10m , mailto:b@example.com,not a uri, "
      "https://r.example/x, mailto:c@example.com!bad");
  EXPECT_EQ(r.rua, (std::vector<std::string>{"mailto:a@example.com", "mailto:b@example.com",
                                              "https://r.example/x"}));
  // the size suffix RFC 9989 calls obsolete is kept beside, for the report run
  EXPECT_EQ(r.rua_published, (std::vector<std::string>{"mailto:a@example.com!10m",
                                                        "mailto:b@example.com",
                                                        "https://r.example/x"}));
  ASSERT_EQ(r.notes.size(), 2u);
  EXPECT_EQ(r.notes[0].kind, NoteKind::bad_uri);
  Record failure = parse_ok("v=DMARC1; ruf=mailto:f@example.com!10k,mailto:g@example.com");
  EXPECT_EQ(failure.ruf,
            (std::vector<std::string>{"mailto:f@example.com", "mailto:g@example.com"}));
  EXPECT_EQ(failure.ruf_published,
            (std::vector<std::string>{"mailto:f@example.com!10k", "mailto:g@example.com"}));
  Record non_ascii = parse_ok("v=DMARC1; rua=mailto:\xc3\xa9@example.com");
  EXPECT_TRUE(non_ascii.rua.empty());
}

TEST(DmarcRecord, LimitReportUris) {
  std::string text = "v=DMARC1; rua=";
  for (std::size_t i = 0; i < kMaxReportUris + 5; ++i) {
    text += "mailto:r" + std::to_string(i) + "@example.com,";
  }
  text.pop_back();
  Record r = parse_ok(text);
  EXPECT_EQ(r.rua.size(), kMaxReportUris);
  ASSERT_FALSE(r.notes.empty());
  EXPECT_NE(r.notes.back().text.find("5 URIs over the limit"), std::string::npos);
  EXPECT_EQ(r.notes.back().kind, NoteKind::uri_limit);
  EXPECT_EQ(r.notes.back().tag, "rua");
}

TEST(DmarcRecord, LimitUriOctets) {
  std::string uri = "mailto:" + std::string(kMaxUriOctets, 'a');
  EXPECT_TRUE(parse_ok("v=DMARC1; rua=" + uri).rua.empty());
  uri.resize(kMaxUriOctets);
  EXPECT_EQ(parse_ok("v=DMARC1; rua=" + uri).rua.size(), 1u);
}

TEST(DmarcRecord, LimitRecordOctets) {
  std::string text = "v=DMARC1; p=reject; x=";
  text += std::string(kMaxRecordOctets - text.size(), 'a');
  EXPECT_TRUE(parse_record(text).has_value());
  text += 'a';
  auto r = parse_record(text);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().error, RecordError::malformed);
}

TEST(DmarcRecord, Rfc9989AppendixB2Records) {
  // B.2.1, B.2.2 (strings already joined, RFC 9989 4.5), B.2.5.
  Record b21 = parse_ok("v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com");
  EXPECT_EQ(b21.p, Policy::none);
  EXPECT_EQ(b21.rua, std::vector<std::string>{"mailto:dmarc-feedback@example.com"});
  Record b22 = parse_ok("v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com; "
                        "ruf=mailto:auth-reports@example.com");
  EXPECT_EQ(b22.ruf, std::vector<std::string>{"mailto:auth-reports@example.com"});
  Record b25 = parse_ok("v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,"
                        "mailto:tld-test@thirdparty.example.net; t=y");
  EXPECT_EQ(b25.p, Policy::quarantine);
  EXPECT_EQ(b25.rua.size(), 2u);
  EXPECT_TRUE(b25.t);
}

}  // namespace
}  // namespace postseal::dmarc
