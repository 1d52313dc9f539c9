// policy_conversation_test.cpp - policy protocol conversations without Postfix: the docs/compat.md, seed 000
// examples against an in-memory zone with the real SPF engine, per-instance state, many
// requests per connection, malformed input closing the connection (docs/security.md 40), exp=
// text that tries to inject lines (docs/security.md 32).
#include "policy_test_support.hpp"
#include "verifier/policy/server.hpp"
#include "verifier/policy/session.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace postseal {
namespace {

using test::run_sync;

std::string request(std::string_view sender, std::string_view ip, std::string_view helo,
                    std::string_view instance = "", std::string_view recipient = "falko@example.de") {
  std::string r = "request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=SMTP\n";
  r += fmt::format("helo_name={}\nqueue_id=8045F2AB23\nsender={}\nrecipient={}\n", helo, sender, recipient);
  r += fmt::format("client_address={}\nclient_name=unknown\n", ip);
  if (!instance.empty()) r += fmt::format("instance={}\n", instance);
  return r + "\n";
}

class Conversation : public ::testing::Test {
 protected:
  Conversation() : zone_(test::seed_zone()), clock_(1700000000) { rebuild(decision::Options{}); }

  void rebuild(decision::Options o) {
    o.authserv_id = "mx.example.org";
    decider_ = std::make_unique<decision::Decider>(std::move(o), decision::engine_checker(*engine_, *zone_),
                                                   zone_.get(), clock_);
    session_ = std::make_unique<policy::PolicySession>(*decider_);
  }

  std::string ask(const std::string& text) {
    auto r = policy::parse_request(text);
    EXPECT_TRUE(r) << text;
    if (!r) return "";
    return run_sync(session_->answer(*r));
  }

  std::unique_ptr<dns::MemoryZone> zone_;
  std::unique_ptr<spf::SpfEngine> engine_ = spf::make_native_engine();
  FixedClock clock_;
  std::unique_ptr<decision::Decider> decider_;
  std::unique_ptr<policy::PolicySession> session_;
};

TEST_F(Conversation, Seed000PassViaIp4) {
  EXPECT_EQ(ask(request("info@hforge.example.com", "81.169.145.90", "hforge.example.com")),
            "action=PREPEND Received-SPF: pass (hforge.example.com: 81.169.145.90 is authorized to use "
            "'info@hforge.example.com' in 'mfrom' identity (mechanism 'ip4:81.169.145.0/24' matched)) "
            "receiver=mx.example.org; identity=mailfrom; envelope-from=\"info@hforge.example.com\"; "
            "helo=hforge.example.com; client-ip=81.169.145.90\n\n");
}

TEST_F(Conversation, Seed000SoftfailViaTildeAll) {
  EXPECT_EQ(ask(request("info@hforge.example.com", "1.2.3.4", "hforge.example.com")),
            "action=PREPEND Received-SPF: softfail (hforge.example.com: Sender is not authorized by default "
            "to use 'info@hforge.example.com' in 'mfrom' identity, however domain is not currently prepared "
            "for false failures (mechanism '~all' matched)) receiver=mx.example.org; identity=mailfrom; "
            "envelope-from=\"info@hforge.example.com\"; helo=hforge.example.com; client-ip=1.2.3.4\n\n");
}

TEST_F(Conversation, Seed000NullSenderViaHelo) {
  EXPECT_EQ(ask(request("", "81.169.145.90", "hforge.example.com")),
            "action=PREPEND Received-SPF: pass (hforge.example.com: 81.169.145.90 is authorized to use "
            "'hforge.example.com' in 'helo' identity (mechanism 'ip4:81.169.145.0/24' matched)) "
            "receiver=mx.example.org; identity=helo; helo=hforge.example.com; client-ip=81.169.145.90\n\n");
  EXPECT_EQ(ask(request("", "1.2.3.4", "hforge.example.com", "", "other@example.de")),
            "action=PREPEND Received-SPF: softfail (hforge.example.com: Sender is not authorized by default "
            "to use 'hforge.example.com' in 'helo' identity, however domain is not currently prepared for "
            "false failures (mechanism '~all' matched)) receiver=mx.example.org; identity=helo; "
            "helo=hforge.example.com; client-ip=1.2.3.4\n\n");
}

TEST_F(Conversation, FailIsRejectedWith5723) {
  auto got = ask(request("bob@fail.example.com", "198.51.100.9", "unrelated.example.org"));
  EXPECT_TRUE(got.starts_with("action=550 5.7.23 SPF fail for fail.example.com (mailfrom identity)")) << got;
  EXPECT_TRUE(got.ends_with("\n\n"));
  EXPECT_EQ(got.find('\n'), got.size() - 2) << got;
}

TEST_F(Conversation, HeloFailRejectsBeforeMailFrom) {
  auto got = ask(request("info@hforge.example.com", "81.169.145.90", "helofail.example.com"));
  EXPECT_TRUE(got.starts_with("action=550 5.7.23 SPF fail for helofail.example.com (helo identity)")) << got;
}

TEST_F(Conversation, ExplanationCannotInjectLines) {
  auto got = ask(request("x@exp.example.com", "198.51.100.9", "unrelated.example.org"));
  EXPECT_TRUE(got.starts_with("action=550 5.7.23")) << got;
  EXPECT_EQ(got.find('\n'), got.size() - 2) << got;
  EXPECT_EQ(got.find('\r'), std::string::npos) << got;
}

TEST_F(Conversation, TemperrorDefers) {
  auto got = ask(request("x@slow.example.com", "198.51.100.9", "unrelated.example.org"));
  EXPECT_TRUE(got.starts_with("action=DEFER_IF_PERMIT SPF temperror for slow.example.com")) << got;
}

// A SASL-authenticated client (the request's sasl_username) is skipped by default: the
// site's own users sending from anywhere (docs: verifier.skip_authenticated); an empty
// sasl_username (Postfix sends the attribute empty for everyone else) is checked.
TEST_F(Conversation, AuthenticatedClientSkipped) {
  auto with_login = [](std::string_view login) {
    auto r = request("bob@fail.example.com", "198.51.100.9", "unrelated.example.org");
    return r.insert(r.size() - 1, fmt::format("sasl_method=PLAIN\nsasl_username={}\n", login));
  };
  EXPECT_EQ(ask(with_login("bob")),
            "action=PREPEND X-Comment: SPF skipped - SASL authenticated client is always allowed.\n\n");
  EXPECT_TRUE(ask(with_login("")).starts_with("action=550 5.7.23 SPF fail")) << ask(with_login(""));
  decision::Options o;
  o.skip_authenticated = false;
  rebuild(std::move(o));
  EXPECT_TRUE(ask(with_login("bob")).starts_with("action=550 5.7.23 SPF fail"));
}

TEST_F(Conversation, LocalhostSkipped) {
  EXPECT_EQ(ask(request("bob@fail.example.com", "127.0.0.1", "localhost")),
            "action=PREPEND X-Comment: SPF skipped - localhost is always allowed.\n\n");
}

TEST_F(Conversation, OptionsFromTheCommandLineWords) {
  decision::Options o;
  o.mail_from_reject = *decision::parse_reject_policy("softfail");
  rebuild(std::move(o));
  auto got = ask(request("info@hforge.example.com", "1.2.3.4", "hforge.example.com"));
  EXPECT_TRUE(got.starts_with("action=550 5.7.23 SPF softfail for hforge.example.com")) << got;
}

TEST_F(Conversation, PrependOncePerInstanceRejectEveryRecipient) {
  auto pass = request("info@hforge.example.com", "81.169.145.90", "hforge.example.com", "a.1", "r1@example.de");
  EXPECT_TRUE(ask(pass).starts_with("action=PREPEND Received-SPF: pass"));
  EXPECT_EQ(ask(request("info@hforge.example.com", "81.169.145.90", "hforge.example.com", "a.1", "r2@example.de")),
            "action=DUNNO\n\n");
  EXPECT_EQ(ask(request("info@hforge.example.com", "81.169.145.90", "hforge.example.com", "a.1", "r3@example.de")),
            "action=DUNNO\n\n");
  // next message on the same connection: state reset
  EXPECT_TRUE(ask(request("info@hforge.example.com", "81.169.145.90", "hforge.example.com", "a.2"))
                  .starts_with("action=PREPEND Received-SPF: pass"));
  auto first = ask(request("bob@fail.example.com", "198.51.100.9", "x.example.org", "a.3", "r1@example.de"));
  auto second = ask(request("bob@fail.example.com", "198.51.100.9", "x.example.org", "a.3", "r2@example.de"));
  EXPECT_TRUE(first.starts_with("action=550 5.7.23"));
  EXPECT_EQ(first, second);
}

TEST_F(Conversation, OtherStagesAndBadAddressesGetDunno) {
  auto data = request("bob@fail.example.com", "198.51.100.9", "x.example.org");
  data.replace(data.find("RCPT"), 4, "DATA");
  EXPECT_EQ(ask(data), "action=DUNNO\n\n");
  EXPECT_EQ(ask(request("bob@fail.example.com", "not-an-ip", "x.example.org")), "action=DUNNO\n\n");
}

// Socket-level: pipelined requests answered in order, then a broken request closes the
// connection without an answer.
class SocketConversation : public Conversation {
 protected:
  std::string converse(const std::string& input) {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    // The peer writes from its own thread: a big input does not fit the socket buffer, and
    // the server may close before reading it all (the write then fails, which is fine).
    std::thread writer([&input, fd = fds[1]] {
      std::size_t off = 0;
      while (off < input.size()) {
        auto n = ::send(fd, input.data() + off, input.size() - off, MSG_NOSIGNAL);
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
      }
      ::shutdown(fd, SHUT_WR);
    });
    asio::io_context io;
    net::Socket socket(io, asio::generic::stream_protocol(AF_UNIX, SOCK_STREAM), fds[0]);
    asio::co_spawn(io, policy::serve_connection(std::move(socket), *decider_, std::chrono::seconds(5)),
                   asio::detached);
    io.run();
    writer.join();
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[1], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    ::close(fds[1]);
    return out;
  }
};

std::size_t count(const std::string& s, std::string_view what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

TEST_F(SocketConversation, ManyRequestsOneAnswerEach) {
  std::string input;
  for (int i = 0; i < 50; ++i)
    input += request("info@hforge.example.com", i % 2 ? "81.169.145.90" : "1.2.3.4", "hforge.example.com",
                     "inst." + std::to_string(i));
  auto out = converse(input);
  EXPECT_EQ(count(out, "action="), 50u);
  EXPECT_EQ(count(out, "\n\n"), 50u);
  EXPECT_EQ(count(out, "action=PREPEND Received-SPF: pass"), 25u);
  EXPECT_EQ(count(out, "action=PREPEND Received-SPF: softfail"), 25u);
}

TEST_F(SocketConversation, ProtocolErrorClosesWithoutAnswer) {
  struct Case {
    std::string name, broken;
  } cases[] = {
      {"no_equals", "request=smtpd_access_policy\ngarbage line\n\n"},
      {"no_request", "sender=a@b.example\n\n"},
      {"nul", std::string("request=smtpd_access_policy\nsender=\0\n\n", 38)},
      {"megabyte_line", "request=smtpd_access_policy\nsender=" + std::string(1 << 20, 'x') + "\n\n"},
  };
  for (const auto& c : cases) {
    auto good = request("info@hforge.example.com", "81.169.145.90", "hforge.example.com");
    auto out = converse(good + c.broken + good);
    EXPECT_EQ(count(out, "action="), 1u) << c.name << ": " << out;
    EXPECT_TRUE(out.ends_with("\n\n")) << c.name;
  }
}

TEST_F(SocketConversation, DuplicateAndUnknownAttributesStillAnswered) {
  auto r = request("info@hforge.example.com", "81.169.145.90", "hforge.example.com");
  r.insert(r.size() - 1, "sender=other@fail.example.com\nfuture_attribute=1\n");
  auto out = converse(r);
  EXPECT_TRUE(out.starts_with("action=PREPEND Received-SPF: pass")) << out;
}

TEST_F(Conversation, StdioServesAFile) {
  std::string input = request("info@hforge.example.com", "81.169.145.90", "hforge.example.com") +
                      request("", "1.2.3.4", "hforge.example.com");
  char in_path[] = "/tmp/policy-stdio-inXXXXXX";
  char out_path[] = "/tmp/policy-stdio-outXXXXXX";
  int in = ::mkstemp(in_path);
  int out = ::mkstemp(out_path);
  ASSERT_GE(in, 0);
  ASSERT_GE(out, 0);
  ASSERT_EQ(::write(in, input.data(), input.size()), static_cast<ssize_t>(input.size()));
  ::lseek(in, 0, SEEK_SET);
  asio::io_context io;
  policy::serve_stdio(io, in, out, *decider_);
  ::lseek(out, 0, SEEK_SET);
  std::string got;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(out, buf, sizeof buf)) > 0) got.append(buf, static_cast<std::size_t>(n));
  ::close(in);
  ::close(out);
  ::unlink(in_path);
  ::unlink(out_path);
  EXPECT_EQ(count(got, "action=PREPEND Received-SPF: pass"), 1u) << got;
  EXPECT_EQ(count(got, "action=PREPEND Received-SPF: softfail"), 1u) << got;
}

}  // namespace
}  // namespace postseal
