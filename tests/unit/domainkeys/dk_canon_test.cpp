// dk_canon_test.cpp - RFC 4870 3.4.2 simple and nofws canonicalization, streamed.
#include "core/domainkeys/dk_canon.hpp"

#include <gtest/gtest.h>

#include <string>

namespace postseal::domainkeys {
namespace {

std::string canon_body(DkCanon canon, std::string_view body, std::size_t split = 0) {
  BodyCanonicalizer c(canon);
  std::string out;
  if (split == 0) {
    c.update(body, out);
  } else {
    c.update(body.substr(0, split), out);
    c.update(body.substr(split), out);
  }
  c.finish(out);
  return out;
}

struct HeaderCase {
  DkCanon canon;
  std::string raw;
  std::string want;
};

TEST(DkCanonHeader, SimpleKeepsFieldNofwsRemovesAllWhitespaceAndUnfolds) {
  const HeaderCase cases[] = {
      {DkCanon::simple, "Subject: a  b\r\n\tc ", "Subject: a  b\r\n\tc \r\n"},
      {DkCanon::nofws, "Subject: a  b\r\n\tc ", "Subject:abc\r\n"},
      {DkCanon::nofws, "From : Alice <a@example.com>", "From:Alice<a@example.com>\r\n"},
      {DkCanon::nofws, "X-Empty:   ", "X-Empty:\r\n"},
      {DkCanon::nofws, "To: a@b,\r\n c@d,\r\n\t e@f", "To:a@b,c@d,e@f\r\n"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(canonicalize_header(c.canon, c.raw), c.want) << c.raw;
  }
}

struct BodyCase {
  std::string name;
  std::string body;
  std::string simple;  // canonical separator + body
  std::string nofws;
};

const BodyCase kBodyCases[] = {
    {"plain", "a\r\nb\r\n", "\r\na\r\nb\r\n", "\r\na\r\nb\r\n"},
    {"empty body drops the separator too", "", "", ""},
    {"only empty lines drop the separator", "\r\n\r\n\r\n", "", ""},
    {"trailing empty lines ignored", "a\r\n\r\n\r\n", "\r\na\r\n", "\r\na\r\n"},
    {"inner empty lines kept", "a\r\n\r\n\r\nb\r\n", "\r\na\r\n\r\n\r\nb\r\n", "\r\na\r\n\r\n\r\nb\r\n"},
    {"leading empty lines kept", "\r\n\r\na\r\n", "\r\n\r\n\r\na\r\n", "\r\n\r\n\r\na\r\n"},
    {"whitespace-only line: simple keeps it, nofws empties it",
     "a\r\n  \t \r\nb\r\n", "\r\na\r\n  \t \r\nb\r\n", "\r\na\r\n\r\nb\r\n"},
    {"trailing whitespace-only lines are empty for nofws",
     "a\r\n \r\n\t\r\n", "\r\na\r\n \r\n\t\r\n", "\r\na\r\n"},
    {"whitespace inside lines", " x  y\tz \r\n", "\r\n x  y\tz \r\n", "\r\nxyz\r\n"},
    {"no final CRLF", "a\r\nb", "\r\na\r\nb", "\r\na\r\nb"},
    {"no final CRLF after empty lines", "a\r\n\r\nb", "\r\na\r\n\r\nb", "\r\na\r\n\r\nb"},
    {"bare CR and LF: content for simple, removed by nofws", "a\rb\nc\r\n",
     "\r\na\rb\nc\r\n", "\r\nabc\r\n"},
    {"CR CR LF", "a\r\r\n", "\r\na\r\r\n", "\r\na\r\n"},
    {"final bare CR", "a\r\nb\r", "\r\na\r\nb\r", "\r\na\r\nb"},
    {"whitespace-only unterminated last line", "a\r\n  ", "\r\na\r\n  ", "\r\na\r\n"},
    {"dot line", ".\r\n..x\r\n", "\r\n.\r\n..x\r\n", "\r\n.\r\n..x\r\n"},
};

TEST(DkCanonBody, Table) {
  for (const auto& c : kBodyCases) {
    EXPECT_EQ(canon_body(DkCanon::simple, c.body), c.simple) << "simple: " << c.name;
    EXPECT_EQ(canon_body(DkCanon::nofws, c.body), c.nofws) << "nofws: " << c.name;
  }
}

TEST(DkCanonBody, ChunkedEqualsOnePassAtEverySplitPoint) {
  for (const auto& c : kBodyCases) {
    for (DkCanon canon : {DkCanon::simple, DkCanon::nofws}) {
      std::string whole = canon_body(canon, c.body);
      for (std::size_t split = 1; split < c.body.size(); ++split) {
        EXPECT_EQ(canon_body(canon, c.body, split), whole)
            << to_string(canon) << " " << c.name << " split at " << split;
      }
    }
  }
}

TEST(DkCanonBody, ByteByByteEqualsOnePass) {
  std::string body = "x \r\n\r\n \t\r\n\ry\r\n\r\nz\r\n \r\n\r\n";
  for (DkCanon canon : {DkCanon::simple, DkCanon::nofws}) {
    BodyCanonicalizer c(canon);
    std::string out;
    for (char ch : body) c.update(std::string_view(&ch, 1), out);
    c.finish(out);
    EXPECT_EQ(out, canon_body(canon, body)) << to_string(canon);
  }
}

TEST(DkCanon, ParseAndName) {
  EXPECT_EQ(parse_canon("nofws"), DkCanon::nofws);
  EXPECT_EQ(parse_canon("Simple"), DkCanon::simple);
  EXPECT_FALSE(parse_canon("relaxed"));
  EXPECT_FALSE(parse_canon(""));
  EXPECT_EQ(to_string(DkCanon::nofws), "nofws");
  EXPECT_EQ(to_string(DkCanon::simple), "simple");
}

}  // namespace
}  // namespace postseal::domainkeys
