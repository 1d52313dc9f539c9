// smtp_codec_test.cpp - core/smtp codecs: DATA decoding (docs/security.md 1-3, 5), commands, paths,
// XFORWARD (docs/security.md 6), replies.
#include "core/smtp/command.hpp"
#include "core/smtp/data_reader.hpp"
#include "core/smtp/reply.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace postseal::smtp {
namespace {

struct Decoded {
  std::vector<std::string> lines;
  std::size_t consumed = 0;
  bool done = false;
};

Decoded decode(std::string_view wire, std::size_t split = 0) {
  Decoded d;
  DataReader r([&](std::string_view l) { d.lines.emplace_back(l); });
  if (split == 0 || split >= wire.size()) {
    d.consumed = r.feed(wire);
  } else {
    d.consumed = r.feed(wire.substr(0, split));
    if (!r.done()) d.consumed += r.feed(wire.substr(split));
  }
  d.done = r.done();
  return d;
}

TEST(DataReader, EndsOnlyAtCrlfDotCrlf) {
  struct Case {
    std::string wire;
    std::vector<std::string> want;
    bool done;
  } cases[] = {
      {"a\r\n.\r\n", {"a"}, true},
      {".\r\n", {}, true},
      {"a\n.\nb\r\n.\r\n", {"a", "", "b"}, true},           // LF.LF is not the end
      {"a\n.\r\nb\r\n.\r\n", {"a", "", "b"}, true},         // LF.CRLF
      {"a\r\n.\nb\r\n.\r\n", {"a", "", "b"}, true},         // CRLF.LF
      {"a\r.\r\nb\r\n.\r\n", {"a", "", "b"}, true},         // CR.CRLF
      {"a\r.\rb\r\n.\r\n", {"a", "", "b"}, true},           // CR.CR
      {"..x\r\n.y\r\n.\r\n", {".x", "y"}, true},            // transparency
      {"a\r\n", {"a"}, false},
  };
  for (const auto& c : cases) {
    for (std::size_t split = 0; split < c.wire.size(); ++split) {
      auto got = decode(c.wire, split);
      EXPECT_EQ(got.lines, c.want) << "wire " << testing::PrintToString(c.wire) << " split " << split;
      EXPECT_EQ(got.done, c.done) << testing::PrintToString(c.wire);
    }
  }
}

TEST(DataReader, StopsRightAfterTheTerminator) {
  std::string wire = "a\r\n.\r\nQUIT\r\n";
  auto got = decode(wire);
  EXPECT_TRUE(got.done);
  EXPECT_EQ(got.consumed, wire.size() - 6);
}

TEST(DataReader, LongLineIsBounded) {
  std::string wire(kMaxDataLineOctets + 100, 'x');
  wire += "\r\n.\r\n";
  std::vector<std::string> lines;
  DataReader r([&](std::string_view l) { lines.emplace_back(l); });
  r.feed(wire);
  EXPECT_TRUE(r.done());
  EXPECT_TRUE(r.line_too_long());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].size(), kMaxDataLineOctets);
}

TEST(DataReader, CountsBareLineEnds) {
  DataReader r([](std::string_view) {});
  r.feed("a\nb\rc\r\n.\r\n");
  EXPECT_EQ(r.bare_line_ends(), 2u);
}

TEST(DotStuff, DoublesLeadingDot) {
  std::string out;
  dot_stuff(out, ".");
  dot_stuff(out, "a.");
  dot_stuff(out, "..b");
  EXPECT_EQ(out, "..\r\na.\r\n...b\r\n");
}

TEST(Command, ParsesVerbsAndRefusesControls) {
  EXPECT_EQ(parse_command("ehlo x")->verb, Verb::ehlo);
  EXPECT_EQ(parse_command("MAIL FROM:<a@b>")->args, "FROM:<a@b>");
  EXPECT_EQ(parse_command("FOO")->verb, Verb::unknown);
  EXPECT_FALSE(parse_command(std::string("NOOP \0x", 7)).has_value());
  EXPECT_FALSE(parse_command(std::string(kMaxCommandLineOctets + 1, 'a')).has_value());
}

TEST(Path, AddressAndParameters) {
  auto p = parse_path("FROM:<a@b.example> SIZE=100 BODY=8BITMIME", "FROM:");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->address, "a@b.example");
  EXPECT_EQ(p->parameters, (std::vector<std::string>{"SIZE=100", "BODY=8BITMIME"}));
  EXPECT_EQ(parse_path("FROM:<>", "FROM:")->address, "");
  EXPECT_FALSE(parse_path("FROM:a@b", "FROM:").has_value());
  EXPECT_FALSE(parse_path("TO:<a@b>", "FROM:").has_value());
  EXPECT_FALSE(parse_path("FROM:<" + std::string(kMaxPathOctets + 1, 'a') + ">", "FROM:").has_value());
  EXPECT_EQ(parameter_keyword("size=10"), "SIZE");
  EXPECT_EQ(parameter_value("SIZE=10"), "10");
}

TEST(Xforward, Validation) {
  EXPECT_TRUE(parse_xforward("NAME=mx.example ADDR=192.0.2.1 IDENT=4F1A2B3C4D").has_value());
  EXPECT_TRUE(parse_xforward("HELO=a+20b").has_value());
  EXPECT_TRUE(parse_xforward("NAME=" + std::string(kMaxXforwardValueOctets, 'a')).has_value());
  EXPECT_FALSE(parse_xforward("NAME=" + std::string(kMaxXforwardValueOctets + 1, 'a')).has_value());
  EXPECT_FALSE(parse_xforward("NAME=a+zz").has_value());
  EXPECT_FALSE(parse_xforward("NAME=a+2").has_value());
  EXPECT_FALSE(parse_xforward("EVIL=1").has_value());
  EXPECT_FALSE(parse_xforward("").has_value());
  EXPECT_EQ(*xtext_decode("a+20b+2B"), "a b+");
}

TEST(Reply, ParseAndMirror) {
  auto l = parse_reply_line("250-SIZE 10");
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->code, 250);
  EXPECT_FALSE(l->last);
  EXPECT_FALSE(parse_reply_line("25").has_value());
  EXPECT_FALSE(parse_reply_line("abc ok").has_value());
  EXPECT_FALSE(parse_reply_line("650 no").has_value());
  Reply five{554, {"5.7.1 no"}};
  EXPECT_EQ(mirror(five, true).code, 554);
  EXPECT_EQ(mirror(five, false).code, 451);
  Reply injected{250, {"ok\r\nMAIL FROM:<x>"}};
  EXPECT_EQ(mirror(injected, true).wire().find("\r\nMAIL"), std::string::npos);
  EXPECT_EQ((Reply{250, {"a", "b"}}.wire()), "250-a\r\n250 b\r\n");
}

}  // namespace
}  // namespace postseal::smtp
