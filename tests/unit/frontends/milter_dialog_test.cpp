// milter_dialog_test.cpp - one milter connection as scripted conversations
// (verifier/milter/dialog.hpp, docs/milter-protocol.md): negotiation first, the answer of each
// command, reply codes, end-of-message changes only at end of message, macros per stage,
// unknown commands and QUIT / QUIT_NC. The callbacks are fakes recording what they saw.
#include "verifier/milter/dialog.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace postseal::milter {
namespace {

using namespace std::string_literals;
namespace cmd = protocol::command;

// Seen - what the fake callbacks saw (one test at a time).
struct Seen {
  int opened = 0, closed = 0, aborted = 0;
  std::vector<std::string> calls;
  std::string rcpt_macro_i;
  Status rcpt_status = Status::continue_;
  Status header_status = Status::continue_;
};
Seen g_seen;

Status fake_connect(Context&, const protocol::Connect& c) {
  g_seen.calls.push_back("connect " + std::string(c.address));
  return Status::continue_;
}
Status fake_helo(Context&, std::string_view h) {
  g_seen.calls.push_back("helo " + std::string(h));
  return Status::continue_;
}
Status fake_envfrom(Context& ctx, std::span<const std::string_view> a) {
  g_seen.calls.push_back("mail " + std::string(a[0]) +
                         " i=" + std::string(ctx.macro("i").value_or("-")));
  return Status::continue_;
}
Status fake_envrcpt(Context& ctx, std::span<const std::string_view> a) {
  g_seen.calls.push_back("rcpt " + std::string(a[0]));
  g_seen.rcpt_macro_i = std::string(ctx.macro("{i}").value_or("-"));
  if (g_seen.rcpt_status != Status::continue_) ctx.set_reply("550", "5.7.1", "go away");
  return g_seen.rcpt_status;
}
Status fake_header(Context& ctx, std::string_view n, std::string_view) {
  g_seen.calls.push_back("header " + std::string(n));
  // not at end of message: no change may be made
  EXPECT_FALSE(ctx.insert_header(0, "X", " y"));
  return g_seen.header_status;
}
Status fake_eoh(Context&) { return Status::continue_; }
Status fake_body(Context&, std::string_view b) {
  g_seen.calls.push_back("body " + std::string(b));
  return Status::continue_;
}
Status fake_eom(Context& ctx) {
  EXPECT_TRUE(ctx.insert_header(0, "A-R", " x"));
  EXPECT_TRUE(ctx.change_header(1, "A-R", std::nullopt));
  EXPECT_FALSE(ctx.add_recipient("<q@x>"));  // not negotiated in these tests
  return Status::continue_;
}
void fake_open(Context&) { ++g_seen.opened; }
void fake_abort(Context&) { ++g_seen.aborted; }
void fake_close(Context&) { ++g_seen.closed; }

Callbacks fakes(std::uint32_t steps = protocol::step::hdr_leadspc) {
  Callbacks c;
  c.open = fake_open;
  c.connect = fake_connect;
  c.helo = fake_helo;
  c.envfrom = fake_envfrom;
  c.envrcpt = fake_envrcpt;
  c.header = fake_header;
  c.eoh = fake_eoh;
  c.body = fake_body;
  c.eom = fake_eom;
  c.abort = fake_abort;
  c.close = fake_close;
  c.wanted.actions = protocol::action::addhdrs | protocol::action::chghdrs;
  c.wanted.steps = steps;
  return c;
}

std::string optneg(std::uint32_t steps = 0x1fffff) {
  std::string d;
  protocol::put_u32(d, 6);
  protocol::put_u32(d, 0x1ff);
  protocol::put_u32(d, steps);
  return d;
}

// say - one command; the reply packets' command octets ("" when none).
std::string say(Dialog& d, char command, std::string_view data,
                Dialog::Next want = Dialog::Next::go_on) {
  std::string out;
  EXPECT_EQ(d.handle(protocol::Frame{command, data}, out), want) << command;
  std::string commands;
  std::string_view rest = out;
  while (auto r = protocol::next_frame(rest).frame) {
    commands.push_back(r->command);
    rest.remove_prefix(protocol::next_frame(rest).consumed);
  }
  return commands;
}

class MilterDialog : public ::testing::Test {
 protected:
  void SetUp() override { g_seen = Seen{}; }
};

TEST_F(MilterDialog, NegotiationComesFirst) {
  const auto c = fakes();
  Dialog d(c);
  EXPECT_EQ(say(d, cmd::connect,
                "h\0"
                "4\x11\xd7"
                "192.0.2.1\0"s,
                Dialog::Next::close),
            "");
  Dialog ok(c);
  EXPECT_EQ(say(ok, cmd::optneg, optneg()), "O");
  EXPECT_TRUE(ok.leading_space());
  EXPECT_EQ(g_seen.opened, 1);
  EXPECT_EQ(say(ok, cmd::optneg, optneg(), Dialog::Next::close), "");  // only once
  Dialog short_offer(c);
  EXPECT_EQ(say(short_offer, cmd::optneg, "\0\0\0\x06"s, Dialog::Next::close), "");
}

TEST_F(MilterDialog, AConversation) {
  const auto c = fakes();
  Dialog d(c);
  say(d, cmd::optneg, optneg());
  EXPECT_EQ(say(d, cmd::macro, "Cj\0mx.example\0"s), "");
  EXPECT_EQ(say(d, cmd::connect,
                "h\0"
                "4\x11\xd7"
                "192.0.2.1\0"s),
            "c");
  EXPECT_EQ(say(d, cmd::helo, "client.example\0"s), "c");
  EXPECT_EQ(say(d, cmd::macro,
                "Mi\0"
                "4F1A\0"s),
            "");
  EXPECT_EQ(say(d, cmd::mail, "<a@b.example>\0SIZE=1\0"s), "c");
  EXPECT_EQ(say(d, cmd::rcpt, "<c@d.example>\0"s), "c");
  EXPECT_EQ(g_seen.rcpt_macro_i, "4F1A");  // "{i}" finds "i", from an earlier stage
  EXPECT_EQ(say(d, cmd::data, ""), "c");
  EXPECT_EQ(say(d, cmd::header, "Subject\0 hi\0"s), "c");
  EXPECT_EQ(say(d, cmd::eoh, ""), "c");
  EXPECT_EQ(say(d, cmd::body, "line\r\n"), "c");
  EXPECT_EQ(say(d, cmd::eom, ""), "imc");  // the changes, then the answer
  EXPECT_EQ(say(d, cmd::unknown, "XYZZY\0"s), "c");
  EXPECT_EQ(say(d, cmd::quit, "", Dialog::Next::close), "");
  EXPECT_EQ(g_seen.closed, 1);
  const std::vector<std::string> want = {
      "connect 192.0.2.1",  "helo client.example", "mail <a@b.example> i=4F1A",
      "rcpt <c@d.example>", "header Subject",      "body line\r\n"};
  EXPECT_EQ(g_seen.calls, want);
}

TEST_F(MilterDialog, MailClearsTheLaterStagesMacros) {
  const auto c = fakes();
  Dialog d(c);
  say(d, cmd::optneg, optneg());
  say(d, cmd::macro, "Ri\0OLD\0"s);
  say(d, cmd::mail, "<a@b>\0"s);
  EXPECT_EQ(g_seen.calls.back(), "mail <a@b> i=-");  // the old transaction's rcpt macros are gone
  EXPECT_FALSE(d.macro("i"));
}

TEST_F(MilterDialog, ReplyCodeOnlyForItsKind) {
  const auto c = fakes();
  Dialog d(c);
  say(d, cmd::optneg, optneg());
  g_seen.rcpt_status = Status::reject;
  EXPECT_EQ(say(d, cmd::rcpt, "<x@y>\0"s), "y");
  g_seen.rcpt_status = Status::tempfail;  // a 5xx text does not go with a tempfail
  EXPECT_EQ(say(d, cmd::rcpt, "<x@y>\0"s), "t");
  EXPECT_FALSE(d.set_reply("250", "2.0.0", "ok"));
  EXPECT_FALSE(d.set_reply("550", "5.7", "short xcode"));
  EXPECT_FALSE(d.set_reply("550", "5.7.1", "two\r\nlines"));
  EXPECT_FALSE(d.set_reply("550", "5.7.1", std::string(kMaxReplyTextOctets + 1, 'x')));
  EXPECT_TRUE(d.set_reply("550", "5.7.1", std::string(kMaxReplyTextOctets, 'x')));
}

TEST_F(MilterDialog, MalformedOrUnknownCommandsEndTheConnection) {
  const auto c = fakes();
  const std::pair<char, std::string> bad[] = {
      {'Z', "whatever"},
      {cmd::header, "no-nul"},
      {cmd::mail, ""},
      {cmd::connect,
       "h\0"
       "9"s},
  };
  for (const auto& [command, data] : bad) {
    Dialog d(c);
    say(d, cmd::optneg, optneg());
    EXPECT_EQ(say(d, command, data, Dialog::Next::close), "") << command;
  }
}

TEST_F(MilterDialog, NoReplyStepsAreNotAnswered) {
  const auto c = fakes(protocol::step::nr_hdr | protocol::step::nr_body);
  Dialog d(c);
  say(d, cmd::optneg, optneg());
  EXPECT_EQ(say(d, cmd::header, "Subject\0 hi\0"s), "");
  EXPECT_EQ(say(d, cmd::body, "x"), "");
  EXPECT_EQ(say(d, cmd::eoh, ""), "c");
  // not offered by the MTA: answered as usual
  Dialog plain(c);
  say(plain, cmd::optneg, optneg(0));
  EXPECT_EQ(say(plain, cmd::header, "Subject\0 hi\0"s), "c");
}

TEST_F(MilterDialog, AFailedNoReplyStepIsTheNextAnswer) {
  const auto c = fakes(protocol::step::nr_hdr | protocol::step::nr_eoh);
  Dialog d(c);
  say(d, cmd::optneg, optneg());
  g_seen.header_status = Status::tempfail;
  EXPECT_EQ(say(d, cmd::header, "Subject\0 hi\0"s), "");
  g_seen.header_status = Status::continue_;
  EXPECT_EQ(say(d, cmd::header, "To\0 x\0"s), "");
  EXPECT_EQ(say(d, cmd::eoh, ""), "");
  EXPECT_EQ(say(d, cmd::body, "x"), "t");  // the first answered step gets the held tempfail
  EXPECT_EQ(say(d, cmd::eom, ""), "imc");  // once
}

TEST_F(MilterDialog, QuitNewConnectionStartsAFreshSession) {
  const auto c = fakes();
  Dialog d(c);
  say(d, cmd::optneg, optneg());
  say(d, cmd::macro, "Mi\0Q1\0"s);
  EXPECT_EQ(say(d, cmd::quit_nc, ""), "");
  EXPECT_EQ(g_seen.closed, 1);
  EXPECT_EQ(g_seen.opened, 2);
  EXPECT_FALSE(d.macro("i"));
  EXPECT_EQ(say(d, cmd::connect, "h\0U"s), "c");
  d.finish();
  EXPECT_EQ(g_seen.closed, 2);
  d.finish();
  EXPECT_EQ(g_seen.closed, 2);  // once
}

TEST_F(MilterDialog, AbortIsNotAnswered) {
  const auto c = fakes();
  Dialog d(c);
  say(d, cmd::optneg, optneg());
  EXPECT_EQ(say(d, cmd::abort, ""), "");
  EXPECT_EQ(g_seen.aborted, 1);
}

}  // namespace
}  // namespace postseal::milter
