// milter_protocol_test.cpp - the milter codec (verifier/milter/protocol.hpp,
// docs/milter-protocol.md): frames (truncated, lying lengths, zero and oversize lengths),
// each command's decoding with bounds checks, option negotiation against Postfix's offer,
// and the reply encodings.
#include "verifier/milter/protocol.hpp"

#include <gtest/gtest.h>

#include <string>

namespace postseal::milter::protocol {
namespace {

using namespace std::string_literals;

std::string frame(char cmd, std::string_view data) {
  std::string out;
  append_packet(out, cmd, data);
  return out;
}

TEST(MilterProtocol, FrameWholeAndPartial) {
  const std::string f = frame('H', "mail.example\0"s);
  ASSERT_EQ(f.size(), 4 + 1 + 13u);
  for (std::size_t cut = 0; cut < f.size(); ++cut) {
    auto r = next_frame(std::string_view(f).substr(0, cut));
    EXPECT_FALSE(r.frame) << cut;
    EXPECT_FALSE(r.error) << cut;
  }
  const std::string more = f + "trailing";  // the frame's views point into it
  auto r = next_frame(more);
  ASSERT_TRUE(r.frame);
  EXPECT_EQ(r.frame->command, 'H');
  EXPECT_EQ(r.frame->data, "mail.example\0"s);
  EXPECT_EQ(r.consumed, f.size());
}

TEST(MilterProtocol, FrameLengthsRefused) {
  struct Case {
    std::string in;
    FrameError want;
  };
  const Case cases[] = {
      {"\0\0\0\0"s, FrameError::zero_length},
      {"\xff\xff\xff\xf0"
       "Bxxxx"s,
       FrameError::too_long},
      {"GET / HTTP/1.0\r\n"s, FrameError::too_long},
  };
  for (const auto& c : cases) {
    auto r = next_frame(c.in);
    ASSERT_TRUE(r.error);
    EXPECT_EQ(*r.error, c.want);
    EXPECT_FALSE(r.frame);
  }
}

TEST(MilterProtocol, MaxPacketOctetsHolds) {
  std::string at_cap;
  put_u32(at_cap, static_cast<std::uint32_t>(kMaxPacketOctets));
  at_cap.push_back('B');
  at_cap.append(kMaxPacketOctets - 1, 'x');
  auto r = next_frame(at_cap);
  ASSERT_TRUE(r.frame);
  EXPECT_EQ(r.frame->data.size(), kMaxPacketOctets - 1);
  std::string over;
  put_u32(over, static_cast<std::uint32_t>(kMaxPacketOctets + 1));
  over.push_back('B');
  EXPECT_EQ(next_frame(over).error, FrameError::too_long);
}

TEST(MilterProtocol, LyingLengthWaitsForTheRest) {
  // a length larger than what follows is a frame not yet whole, never read past the buffer
  std::string f;
  put_u32(f, 100);
  f += "Bshort";
  auto r = next_frame(f);
  EXPECT_FALSE(r.frame);
  EXPECT_FALSE(r.error);
}

TEST(MilterProtocol, OptNegParsed) {
  std::string d;
  put_u32(d, 6);
  put_u32(d, 0x1ff);
  put_u32(d, 0x1fffff);
  auto o = parse_optneg(d);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->version, 6u);
  EXPECT_EQ(o->actions, 0x1ffu);
  EXPECT_EQ(o->steps, 0x1fffffu);
  EXPECT_FALSE(parse_optneg(d.substr(0, 11)));
  EXPECT_FALSE(parse_optneg(""));
}

Wanted ours() {
  Wanted w;
  w.actions = action::addhdrs | action::chghdrs | action::addrcpt | action::delrcpt |
              action::setsymlist | action::quarantine;
  w.steps = step::hdr_leadspc | step::nodata | step::nounknown;
  w.macros = {{Stage::envfrom, "i {auth_authen}"}, {Stage::eom, "i"}};
  return w;
}

TEST(MilterProtocol, NegotiateWithPostfixOffer) {
  // Postfix 3.7 (milter8.c): version 6, every action it knows, every step it knows
  const OptNeg postfix{6, 0x1ff, 0x1fffff};
  auto n = negotiate(postfix, ours());
  ASSERT_TRUE(n);
  EXPECT_EQ(n->actions, 0x13du);
  EXPECT_EQ(n->steps, step::hdr_leadspc | step::nodata | step::nounknown);
  std::string want;
  put_u32(want, 6);
  put_u32(want, 0x13d);
  put_u32(want, step::hdr_leadspc | step::nodata | step::nounknown);
  put_u32(want, 2);
  want += "i {auth_authen}\0"s;
  put_u32(want, 5);
  want += "i\0"s;
  EXPECT_EQ(n->reply_data, want);
}

TEST(MilterProtocol, NegotiateGrantsOnlyWhatIsOffered) {
  // an MTA offering no steps and no SETSYMLIST: nothing asked of it, no macro lists sent
  auto n = negotiate(OptNeg{6, action::addhdrs | action::chghdrs, 0}, ours());
  ASSERT_TRUE(n);
  EXPECT_EQ(n->actions, action::addhdrs | action::chghdrs);
  EXPECT_EQ(n->steps, 0u);
  EXPECT_EQ(n->reply_data.size(), 12u);
  // an older protocol version is answered with its own number
  auto old = negotiate(OptNeg{2, 0x3f, 0x7f}, ours());
  ASSERT_TRUE(old);
  EXPECT_EQ(get_u32(old->reply_data.substr(0, 4)), 2u);
  EXPECT_FALSE(negotiate(OptNeg{1, 0xf, 0x3f}, ours()));
}

TEST(MilterProtocol, ConnectParsed) {
  const std::string in =
      "mail.example\0"
      "4\x11\xd7"
      "192.0.2.10\0"s;
  auto c = parse_connect(in);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->hostname, "mail.example");
  EXPECT_EQ(c->family, '4');
  EXPECT_EQ(c->port, 4567);
  EXPECT_EQ(c->address, "192.0.2.10");
  const std::string host_only = "host\0U"s;
  auto unknown = parse_connect(host_only);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->family, 'U');
  const std::string bad[] = {
      ""s,
      "host"s,
      "host\0"s,
      "host\0"
      "4"s,
      "host\0"
      "4\x11"s,
      "host\0"
      "4\x11\xd7"
      "192.0.2.1"s,
      "host\0"
      "X\x11\xd7"
      "192.0.2.1\0"s,
  };
  for (const auto& b : bad) EXPECT_FALSE(parse_connect(b)) << b.size();
}

TEST(MilterProtocol, HeaderParsed) {
  const std::string in = "Subject\0 hi\0"s;
  auto h = parse_header(in);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->name, "Subject");
  EXPECT_EQ(h->value, " hi");
  EXPECT_FALSE(parse_header("Subject\0 hi"s));
  EXPECT_FALSE(parse_header("Subject"s));
  EXPECT_FALSE(parse_header(""s));
}

TEST(MilterProtocol, StringsParsed) {
  const std::string in = "<a@b>\0SIZE=10\0"s;
  auto a = parse_strings(in);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->size(), 2u);
  EXPECT_EQ((*a)[0], "<a@b>");
  EXPECT_EQ((*a)[1], "SIZE=10");
  EXPECT_FALSE(parse_strings("<a@b>"s));  // the final NUL is required
  EXPECT_FALSE(parse_strings(""s));
  std::string many;
  for (int i = 0; i < 100; ++i) many += "x\0"s;
  EXPECT_EQ(parse_strings(many)->size(), kMaxArguments);
}

TEST(MilterProtocol, MacrosParsed) {
  const std::string in =
      "M"
      "i\0"
      "4F1A\0"
      "{auth_authen}\0"
      "alice\0"s;
  auto m = parse_macros(in);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->command, 'M');
  ASSERT_EQ(m->pairs.size(), 2u);
  EXPECT_EQ(m->pairs[1].first, "{auth_authen}");
  EXPECT_EQ(m->pairs[1].second, "alice");
  auto dangling = parse_macros(
      "C"
      "j\0"
      "mx\0"
      "v"s);
  EXPECT_FALSE(dangling);  // a name without its NUL
  auto no_value = parse_macros(
      "C"
      "j\0"
      "mx\0"
      "v\0"s);
  ASSERT_TRUE(no_value);
  EXPECT_EQ(no_value->pairs.size(), 1u);
  EXPECT_FALSE(parse_macros(""s));
  EXPECT_EQ(stage_of('M'), Stage::envfrom);
  EXPECT_EQ(stage_of('E'), Stage::eom);
  EXPECT_FALSE(stage_of('Z'));
}

TEST(MilterProtocol, RepliesEncoded) {
  std::string out;
  append_packet(out, reply::continue_);
  EXPECT_EQ(out,
            "\0\0\0\x01"
            "c"s);
  out.clear();
  append_replycode(out, "550 5.7.1 no");
  EXPECT_EQ(out,
            "\0\0\0\x0e"
            "y550 5.7.1 no\0"s);
  out.clear();
  append_header_change(out, reply::insheader, 0, "A-R", " x");
  EXPECT_EQ(out,
            "\0\0\0\x0c"
            "i\0\0\0\0A-R\0 x\0"s);
  out.clear();
  append_header_change(out, reply::chgheader, 2, "A-R", "");
  EXPECT_EQ(out,
            "\0\0\0\x0a"
            "m\0\0\0\x02"
            "A-R\0\0"s);
  out.clear();
  append_header_change(out, reply::addheader, std::nullopt, "S", "v");
  EXPECT_EQ(out,
            "\0\0\0\x05"
            "hS\0v\0"s);
  out.clear();
  append_string(out, reply::delrcpt, "<a@b>");
  EXPECT_EQ(out,
            "\0\0\0\x07"
            "-<a@b>\0"s);
}

}  // namespace
}  // namespace postseal::milter::protocol
