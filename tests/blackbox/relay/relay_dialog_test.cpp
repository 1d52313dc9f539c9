// relay_dialog_test.cpp - relay::run_session (core/relay/session.*) as Postfix sees it: real
// loopback TCP connections, a client speaking scripts of (send, expect) lines, and a fake
// downstream SMTP server written here (the reinjection or after-filter smtpd) whose end-of-DATA
// answer and timing each test chooses.
//
// The contract under test (core/relay/session.hpp): end of DATA is answered only after the
// downstream answered; its 4xx/5xx is passed on, never a 250; a dead downstream is a 4xx. And
// the session's limits: hard_error_limit error replies, then 421 and close; the DATA phase
// bounded by data_timeout plus one second per min_data_rate octets. And the downstream
// connection's reuse (core/relay/session_downstream.cpp): one per session, parked for the
// next session for relay_idle, XFORWARD before every MAIL, and a connection the downstream
// closed while idle never failing a message (docs/security.md 55).
#include "core/net/endpoint.hpp"
#include "core/net/server.hpp"
#include "core/relay/message_step.hpp"
#include "core/relay/relay_config.hpp"
#include "core/relay/session.hpp"

#include <arpa/inet.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/address.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/use_awaitable.hpp>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace postseal::relay {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// kReplyWait - how long the client waits for a reply it expects before the test fails.
constexpr milliseconds kReplyWait{5000};

// LineReader - CRLF lines from a blocking socket, each read bounded by a timeout.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  // ready - whether bytes are buffered or arrive within `wait` (nothing is consumed).
  bool ready(milliseconds wait) {
    if (!buffer_.empty()) return true;
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(wait.count())) > 0;
  }
  // line - the next line without CRLF; nullopt on EOF, error or timeout.
  std::optional<std::string> line(milliseconds wait) {
    const auto until = Clock::now() + wait;
    for (;;) {
      if (auto end = buffer_.find("\r\n"); end != std::string::npos) {
        std::string l = buffer_.substr(0, end);
        buffer_.erase(0, end + 2);
        return l;
      }
      auto left = std::chrono::duration_cast<milliseconds>(until - Clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_;
  std::string buffer_;
};

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

int loopback_listener(int& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  EXPECT_EQ(::listen(fd, 8), 0);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return fd;
}

// FakeDownstream - an SMTP server on 127.0.0.1 (one connection at a time): 220, EHLO with
// PIPELINING SIZE 8BITMIME DSN (and XFORWARD with `xforward`), `rcpt_reply` to RCPT, 250 to the
// other commands, 354 to DATA, then at the end of the message `final_reply` after
// `final_delay` (or, with `close_at_end`, a closed connection and no reply). Connection reuse:
// with `idle_421_after` set, `idle_421_after` after each message's reply it says "421 ...
// timeout" and closes, as Postfix's smtpd does on its idle timeout; with `drop_reused_at` set
// ("MAIL", "RCPT", "DATA"), a connection that has carried a message closes without a reply
// when that command comes (a connection dead before the client noticed). Records every line
// it receives and counts connections. Pipelining (RFC 2920): `pipelining` false leaves it out of
// the EHLO reply; with `probe_before_reply` set, before each reply to XFORWARD or RSET the
// server waits that long for the client's next line and notes whether it came (a client that
// waits for each reply sends nothing meanwhile).
struct Behaviour {
  std::string rcpt_reply = "250 2.1.5 Ok";
  std::string final_reply = "250 2.0.0 Ok: queued as 4F1A2B3C4D";
  milliseconds final_delay{0};
  bool close_at_end = false;
  bool xforward = false;
  std::optional<milliseconds> idle_421_after;
  std::string drop_reused_at;
  bool pipelining = true;
  std::optional<milliseconds> probe_before_reply;
};

class FakeDownstream {
 public:
  explicit FakeDownstream(Behaviour b) : behaviour_(std::move(b)) {
    listener_ = loopback_listener(port_);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeDownstream() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }
  int port() const { return port_; }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  // final_sent - when the end-of-DATA reply was written (unset: never).
  std::optional<Clock::time_point> final_sent() const {
    std::lock_guard lock(mutex_);
    return final_sent_;
  }
  bool saw(std::string_view line) const {
    for (const auto& l : lines())
      if (l == line) return true;
    return false;
  }
  // count - lines received that begin with `prefix`.
  std::size_t count(std::string_view prefix) const {
    auto all = lines();
    return static_cast<std::size_t>(std::count_if(all.begin(), all.end(), [prefix](const std::string& l) {
      return l.starts_with(prefix);
    }));
  }
  int connections() const { return connections_.load(); }
  // sent_ahead - for each XFORWARD or RSET probed, whether the next line came before its reply.
  std::vector<bool> sent_ahead() const {
    std::lock_guard lock(mutex_);
    return sent_ahead_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      connections_.fetch_add(1);
      {
        std::lock_guard lock(mutex_);
        lines_.push_back("(connection " + std::to_string(connections_.load()) + ")");
      }
      converse(fd);
      ::close(fd);
    }
  }

  void converse(int fd) {
    LineReader in(fd);
    send_all(fd, "220 downstream.test ESMTP fake\r\n");
    bool in_data = false;
    int messages = 0;
    while (!stop_) {
      auto line = in.line(milliseconds(100));
      if (!line) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 0) > 0) {  // readable but no line: closed by the peer
          char c;
          if (::recv(fd, &c, 1, MSG_PEEK) <= 0) return;
        }
        continue;
      }
      {
        std::lock_guard lock(mutex_);
        lines_.push_back(*line);
      }
      if (in_data) {
        if (*line != ".") continue;
        in_data = false;
        if (behaviour_.close_at_end) return;
        std::this_thread::sleep_for(behaviour_.final_delay);
        {
          std::lock_guard lock(mutex_);
          final_sent_ = Clock::now();
        }
        send_all(fd, behaviour_.final_reply + "\r\n");
        ++messages;
        if (behaviour_.idle_421_after && idle_then_421(fd, in, *behaviour_.idle_421_after)) return;
        continue;
      }
      std::string verb = line->substr(0, 4);
      if (messages > 0 && !behaviour_.drop_reused_at.empty() && verb == behaviour_.drop_reused_at) return;
      if (behaviour_.probe_before_reply && (verb == "XFOR" || verb == "RSET")) {
        const bool ahead = in.ready(*behaviour_.probe_before_reply);
        std::lock_guard lock(mutex_);
        sent_ahead_.push_back(ahead);
      }
      if (verb == "EHLO") {
        send_all(fd, std::string("250-downstream.test\r\n") + (behaviour_.pipelining ? "250-PIPELINING\r\n" : "") +
                         "250-SIZE 0\r\n250-8BITMIME\r\n" +
                         (behaviour_.xforward ? "250-XFORWARD NAME ADDR PROTO HELO IDENT\r\n" : "") + "250 DSN\r\n");
      } else if (verb == "RCPT") {
        send_all(fd, behaviour_.rcpt_reply + "\r\n");
      } else if (verb == "DATA") {
        in_data = true;
        send_all(fd, "354 go ahead\r\n");
      } else if (verb == "QUIT") {
        send_all(fd, "221 bye\r\n");
        return;
      } else {
        send_all(fd, "250 2.0.0 Ok\r\n");
      }
    }
  }

  // idle_then_421 - wait `idle` for a command; none came: "421" and true (close). A command
  // that came is left in `in` (false).
  bool idle_then_421(int fd, LineReader& in, milliseconds idle) {
    if (in.ready(idle)) return false;
    send_all(fd, "421 4.4.2 downstream.test Error: timeout exceeded\r\n");
    return true;
  }

  Behaviour behaviour_;
  std::atomic<int> connections_{0};
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
  std::optional<Clock::time_point> final_sent_;
  std::vector<bool> sent_ahead_;
};

RelayConfig test_config(int downstream_port) {
  RelayConfig c;
  c.relay = *net::parse_endpoint("127.0.0.1:" + std::to_string(downstream_port));
  c.hostname = "relay.test";
  c.command_timeout = std::chrono::seconds(10);
  c.session_timeout = std::chrono::seconds(60);
  c.relay_timeout = std::chrono::seconds(10);
  c.spool_directory = "/tmp";
  return c;
}

// RelayUnderTest - run_session for every connection to 127.0.0.1:port(), on its own thread;
// messages pass unchanged (no step).
class RelayUnderTest {
 public:
  explicit RelayUnderTest(RelayConfig config)
      : context_(std::move(config), [](const auto&, const auto&) { return std::unique_ptr<MessageStep>(); },
                 "reinjection server"),
        acceptor_(io_, asio::generic::stream_protocol::endpoint(
                           asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0))) {
    port_ = ntohs(reinterpret_cast<const sockaddr_in*>(acceptor_.local_endpoint().data())->sin_port);
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~RelayUnderTest() {
    io_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  RelayContext& context() { return context_; }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      net::Socket socket = co_await acceptor_.async_accept(asio::use_awaitable);
      asio::co_spawn(io_, run_session(std::move(socket), context_), asio::detached);
    }
  }

  RelayContext context_;  // outlives io_, whose destructor ends the sessions still open
  asio::io_context io_;
  net::Acceptor acceptor_;
  int port_ = 0;
  std::thread thread_;
};

// Client - the SMTP client side (Postfix's smtp client or smtpd proxy) over a blocking socket.
class Client {
 public:
  explicit Client(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)), in_(fd_) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  }
  ~Client() { ::close(fd_); }
  bool send(std::string_view line) { return send_all(fd_, std::string(line) + "\r\n"); }
  bool send_raw(std::string_view bytes) { return send_all(fd_, bytes); }
  // reply - a whole reply (continuation lines joined by '\n'); nullopt: none within `wait`.
  std::optional<std::string> reply(milliseconds wait = kReplyWait) {
    std::string all;
    for (;;) {
      auto line = in_.line(wait);
      if (!line) return std::nullopt;
      all += *line;
      if (line->size() < 4 || (*line)[3] != '-') return all;
      all += '\n';
    }
  }
  // closed - the server closed the connection within `wait` and sent nothing more.
  bool closed(milliseconds wait = kReplyWait) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return false;
    char c;
    return ::recv(fd_, &c, 1, 0) <= 0;  // EOF, or a reset for bytes it never read
  }

 private:
  int fd_;
  LineReader in_;
};

// Step - one line of a dialog: what the client sends (nullopt: nothing, wait for the
// greeting) and how the reply must begin ("": no reply expected, as for message lines).
struct Step {
  std::optional<std::string> send;
  std::string expect;
};

// run_script - play `script`; every reply is checked and returned in order.
std::vector<std::string> run_script(Client& client, std::span<const Step> script) {
  std::vector<std::string> replies;
  for (const auto& step : script) {
    if (step.send) {
      EXPECT_TRUE(client.send(*step.send)) << *step.send;
    }
    if (step.expect.empty()) continue;
    auto reply = client.reply();
    EXPECT_TRUE(reply.has_value()) << "no reply to " << step.send.value_or("(connect)");
    if (!reply) break;
    EXPECT_EQ(reply->substr(0, step.expect.size()), step.expect) << "after " << step.send.value_or("(connect)");
    replies.push_back(*reply);
  }
  return replies;
}

const std::vector<Step> kUpToData = {
    {std::nullopt, "220 relay.test ESMTP"},
    {"EHLO client.test", "250-relay.test"},
    {"MAIL FROM:<a@example.com>", "250"},
    {"RCPT TO:<b@example.org>", "250"},
    {"DATA", "354"},
    {"Subject: dialog", ""},
    {"", ""},
    {"..leading dot", ""},
};

TEST(RelayDialog, NormalExchangeRelaysTheMessageAndMirrorsTheQueueId) {
  FakeDownstream down({});
  RelayUnderTest relay(test_config(down.port()));
  Client client(relay.port());
  run_script(client, kUpToData);
  const std::vector<Step> end = {
      {".", "250 2.0.0 Ok: queued as 4F1A2B3C4D"},
      {"NOOP", "250"},
      {"QUIT", "221"},
  };
  run_script(client, end);
  auto got = down.lines();
  std::vector<std::string> want = {"MAIL FROM:<a@example.com>", "RCPT TO:<b@example.org>", "DATA",
                                   "Subject: dialog", "", "..leading dot", "."};
  auto first = std::find(got.begin(), got.end(), want[0]);
  ASSERT_NE(first, got.end());
  EXPECT_EQ(std::vector<std::string>(first, first + std::min<std::ptrdiff_t>(got.end() - first, 7)), want);
}

// expect_answer_at_end_of_data - the whole dialog with a downstream behaving as `b`: the reply
// to "." begins with `want`, and no reply after 354 is a 250 unless downstream said 250.
void expect_answer_at_end_of_data(Behaviour b, std::string_view want) {
  FakeDownstream down(b);
  RelayUnderTest relay(test_config(down.port()));
  Client client(relay.port());
  run_script(client, kUpToData);
  auto replies = run_script(client, std::vector<Step>{{".", std::string(want)}, {"QUIT", "221"}});
  ASSERT_FALSE(replies.empty());
  EXPECT_NE(replies[0].substr(0, 3), "250") << replies[0];
}

TEST(RelayDialog, DownstreamTempfailIsPassedOnNever250) {
  expect_answer_at_end_of_data({.final_reply = "451 4.3.0 Error: queue file write error"}, "451 4.3.0");
}

TEST(RelayDialog, DownstreamRejectIsPassedOn) {
  expect_answer_at_end_of_data({.final_reply = "554 5.7.1 Rejected"}, "554 5.7.1");
}

TEST(RelayDialog, DownstreamGoneAtEndOfDataIsA4xx) {
  expect_answer_at_end_of_data({.close_at_end = true}, "451 4.4.2");
}

TEST(RelayDialog, ClientWaitsForASlowDownstream250) {
  FakeDownstream down({.final_delay = milliseconds(1500)});
  RelayUnderTest relay(test_config(down.port()));
  Client client(relay.port());
  run_script(client, kUpToData);
  ASSERT_TRUE(client.send("."));
  const auto dot = Clock::now();
  EXPECT_FALSE(client.reply(milliseconds(1000)).has_value()) << "answered before downstream did";
  auto reply = client.reply();
  const auto answered = Clock::now();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->substr(0, 4), "250 ");
  ASSERT_TRUE(down.final_sent().has_value());
  EXPECT_GE(answered, *down.final_sent());
  EXPECT_GE(answered - dot, milliseconds(1500));
}

TEST(RelayDialog, ErrorLimitThen421AndClose) {
  FakeDownstream down({});
  RelayConfig config = test_config(down.port());
  ASSERT_EQ(config.hard_error_limit, static_cast<std::size_t>(kDefaultHardErrorLimit));
  RelayUnderTest relay(config);
  Client client(relay.port());
  run_script(client, std::vector<Step>{{std::nullopt, "220"}, {"EHLO client.test", "250"}});
  for (int i = 0; i < kDefaultHardErrorLimit; ++i) {
    ASSERT_TRUE(client.send("XYZZY"));
    auto r = client.reply();
    ASSERT_TRUE(r.has_value()) << "error " << i + 1;
    EXPECT_EQ(r->substr(0, 4), "502 ") << "error " << i + 1;
  }
  auto last = client.reply();
  ASSERT_TRUE(last.has_value()) << "no 421 after " << kDefaultHardErrorLimit << " errors";
  EXPECT_EQ(*last, "421 4.7.0 relay.test Error: too many errors");
  EXPECT_TRUE(client.closed());
}

TEST(RelayDialog, PipelinedJunkStopsAtTheErrorLimit) {
  FakeDownstream down({});
  RelayConfig config = test_config(down.port());
  config.hard_error_limit = 3;
  RelayUnderTest relay(config);
  Client client(relay.port());
  run_script(client, std::vector<Step>{{std::nullopt, "220"}});
  std::string junk;
  for (int i = 0; i < 1000; ++i) junk += "MAIL FROM:<a@example.com>\r\n";  // 503: no EHLO
  ASSERT_TRUE(client.send_raw(junk));
  for (int i = 0; i < 3; ++i) {
    auto r = client.reply();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->substr(0, 4), "503 ");
  }
  auto last = client.reply();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->substr(0, 4), "421 ");
  EXPECT_TRUE(client.closed());
}

TEST(RelayDialog, DownstreamRefusalsDoNotCountAsErrors) {
  FakeDownstream down({.rcpt_reply = "550 5.1.1 User unknown"});
  RelayConfig config = test_config(down.port());
  config.hard_error_limit = 3;
  RelayUnderTest relay(config);
  Client client(relay.port());
  std::vector<Step> script = {{std::nullopt, "220"}, {"EHLO client.test", "250"},
                              {"MAIL FROM:<a@example.com>", "250"}};
  for (int i = 0; i < 10; ++i) script.push_back({"RCPT TO:<nobody" + std::to_string(i) + "@example.org>", "550 5.1.1"});
  script.push_back({"QUIT", "221"});
  run_script(client, script);
}

// trickle - send `octets` bytes of message one at a time, `gap` apart; false when the relay
// stopped taking them (it answered or closed).
bool trickle(Client& client, int octets, milliseconds gap) {
  for (int i = 0; i < octets; ++i) {
    if (!client.send_raw("x")) return false;
    std::this_thread::sleep_for(gap);
  }
  return true;
}

TEST(RelayDialog, DataAtOneOctetPerTickIsClosedAfterDataTimeout) {
  FakeDownstream down({});
  RelayConfig config = test_config(down.port());
  config.data_timeout = std::chrono::seconds(2);
  config.min_data_rate = 100;  // each octet earns 10 ms: 5 octets/s falls behind at once
  RelayUnderTest relay(config);
  Client client(relay.port());
  run_script(client, kUpToData);
  const auto start = Clock::now();
  std::thread sender([&] { trickle(client, 40, milliseconds(200)); });  // 8 s if never stopped
  auto reply = client.reply(milliseconds(6000));
  const auto after = Clock::now() - start;
  sender.join();
  ASSERT_TRUE(reply.has_value()) << "no reply while DATA trickled in";
  EXPECT_EQ(reply->substr(0, 9), "421 4.4.2");
  EXPECT_GE(after, milliseconds(1900));
  EXPECT_LE(after, milliseconds(4000));
  EXPECT_TRUE(client.closed());
  EXPECT_FALSE(down.saw("."));  // nothing was relayed
}

TEST(RelayDialog, SlowButSteadyDataEarnsTimeAndIsRelayed) {
  FakeDownstream down({});
  RelayConfig config = test_config(down.port());
  config.data_timeout = std::chrono::seconds(1);
  config.min_data_rate = 100;  // 3 s of lines at ~300 octets/s earn ~9 s
  RelayUnderTest relay(config);
  Client client(relay.port());
  run_script(client, kUpToData);
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(client.send(std::string(28, 'a')));
    std::this_thread::sleep_for(milliseconds(100));
  }
  run_script(client, std::vector<Step>{{".", "250 2.0.0"}, {"QUIT", "221"}});
  EXPECT_TRUE(down.saw(std::string(28, 'a')));
}

// ---- downstream connection reuse (docs/security.md 55) ----

RelayConfig reuse_config(int downstream_port, std::chrono::seconds idle) {
  RelayConfig c = test_config(downstream_port);
  EXPECT_TRUE(c.xforward_hosts.add("127.0.0.0/8").has_value());
  c.relay_idle = idle;
  return c;
}

// send_message - one whole transaction after `xforward_addr` (empty: no XFORWARD); the reply
// to "." (or what went wrong first).
std::string send_message(Client& client, std::string_view xforward_addr, std::string_view subject) {
  if (!xforward_addr.empty()) {
    client.send("XFORWARD ADDR=" + std::string(xforward_addr) + " NAME=client.example");
    if (auto r = client.reply(); !r || !r->starts_with("250")) return "XFORWARD: " + r.value_or("no reply");
  }
  const std::vector<std::string> envelope = {"MAIL FROM:<a@example.com>", "RCPT TO:<b@example.org>", "DATA"};
  for (const auto& command : envelope) {
    client.send(command);
    auto r = client.reply();
    if (!r || (!r->starts_with("250") && !r->starts_with("354"))) return command + ": " + r.value_or("no reply");
  }
  client.send("Subject: " + std::string(subject));
  client.send("");
  client.send("body");
  client.send(".");
  return client.reply().value_or("no reply to .");
}

// greet - the greeting and EHLO.
void greet(Client& client) { run_script(client, std::vector<Step>{{std::nullopt, "220"}, {"EHLO client.test", "250"}}); }

// lines_after - the downstream's lines from the `n`th connection on ("(connection n)" marks).
std::vector<std::string> lines_after(const FakeDownstream& down, int n) {
  auto all = down.lines();
  auto from = std::find(all.begin(), all.end(), "(connection " + std::to_string(n) + ")");
  return std::vector<std::string>(from, all.end());
}

TEST(RelayReuse, TwoMessagesOfOneSessionShareOneConnectionEachWithItsXforward) {
  FakeDownstream down({.xforward = true});
  RelayUnderTest relay(reuse_config(down.port(), std::chrono::seconds(0)));
  Client client(relay.port());
  greet(client);
  EXPECT_EQ(send_message(client, "192.0.2.1", "one").substr(0, 4), "250 ");
  EXPECT_EQ(send_message(client, "192.0.2.2", "two").substr(0, 4), "250 ");
  run_script(client, std::vector<Step>{{"QUIT", "221"}});
  EXPECT_EQ(down.connections(), 1);
  EXPECT_EQ(down.count("RSET"), 0u);  // after a completed message, MAIL follows at once
  // XFORWARD applies to the next MAIL only (XFORWARD_README): sent before each
  std::vector<std::string> envelope;
  for (const auto& l : down.lines())
    if (l.starts_with("XFORWARD") || l.starts_with("MAIL")) envelope.push_back(l);
  EXPECT_EQ(envelope, (std::vector<std::string>{"XFORWARD ADDR=192.0.2.1 NAME=client.example", "MAIL FROM:<a@example.com>",
                                                "XFORWARD ADDR=192.0.2.2 NAME=client.example", "MAIL FROM:<a@example.com>"}));
}

// With PIPELINING offered, XFORWARD and MAIL go in one group (one write, one wait; Postfix's
// own client does the same): the downstream has MAIL before it answers XFORWARD.
TEST(RelayReuse, XforwardAndMailGoDownstreamInOneGroup) {
  FakeDownstream down({.xforward = true, .probe_before_reply = milliseconds(1000)});
  RelayUnderTest relay(reuse_config(down.port(), std::chrono::seconds(0)));
  Client client(relay.port());
  greet(client);
  EXPECT_EQ(send_message(client, "192.0.2.1", "one").substr(0, 4), "250 ");
  EXPECT_EQ(send_message(client, "192.0.2.2", "two").substr(0, 4), "250 ");
  run_script(client, std::vector<Step>{{"QUIT", "221"}});
  EXPECT_EQ(down.sent_ahead(), (std::vector<bool>{true, true}));
  EXPECT_EQ(down.count("MAIL"), 2u);
}

// Without PIPELINING (RFC 2920: a client must not pipeline then) each line waits for its reply.
TEST(RelayReuse, WithoutPipeliningXforwardWaitsForItsReply) {
  FakeDownstream down({.xforward = true, .pipelining = false, .probe_before_reply = milliseconds(300)});
  RelayUnderTest relay(reuse_config(down.port(), std::chrono::seconds(0)));
  Client client(relay.port());
  greet(client);
  EXPECT_EQ(send_message(client, "192.0.2.1", "one").substr(0, 4), "250 ");
  run_script(client, std::vector<Step>{{"QUIT", "221"}});
  EXPECT_EQ(down.sent_ahead(), (std::vector<bool>{false}));
  EXPECT_TRUE(down.saw("MAIL FROM:<a@example.com>"));
}

TEST(RelayReuse, ADownstreamThatClosesTheIdleConnectionBetweenMessagesFailsNothing) {
  FakeDownstream down({.xforward = true, .idle_421_after = milliseconds(100)});
  RelayUnderTest relay(reuse_config(down.port(), std::chrono::seconds(0)));
  Client client(relay.port());
  greet(client);
  EXPECT_EQ(send_message(client, "192.0.2.1", "one").substr(0, 4), "250 ");
  std::this_thread::sleep_for(milliseconds(400));  // the downstream says 421 and closes meanwhile
  EXPECT_EQ(send_message(client, "192.0.2.2", "two").substr(0, 4), "250 ");
  run_script(client, std::vector<Step>{{"QUIT", "221"}});
  EXPECT_EQ(down.connections(), 2);
  EXPECT_EQ(down.count("MAIL"), 2u);
  auto second = lines_after(down, 2);
  EXPECT_NE(std::find(second.begin(), second.end(), "XFORWARD ADDR=192.0.2.2 NAME=client.example"), second.end());
}

// expect_replayed_after_drop_at - the downstream drops a kept connection when `verb` comes for
// the second message: the message still gets the downstream's 250, through a new connection
// that got the whole envelope again.
void expect_replayed_after_drop_at(std::string verb) {
  FakeDownstream down({.xforward = true, .drop_reused_at = verb});
  RelayUnderTest relay(reuse_config(down.port(), std::chrono::seconds(0)));
  Client client(relay.port());
  greet(client);
  EXPECT_EQ(send_message(client, "192.0.2.1", "one").substr(0, 4), "250 ");
  EXPECT_EQ(send_message(client, "192.0.2.2", "two").substr(0, 4), "250 ") << "dropped at " << verb;
  run_script(client, std::vector<Step>{{"QUIT", "221"}});
  EXPECT_EQ(down.connections(), 2);
  auto second = lines_after(down, 2);
  std::vector<std::string> envelope;
  for (const auto& l : second)
    if (l.starts_with("XFORWARD") || l.starts_with("MAIL") || l.starts_with("RCPT") || l == "DATA") envelope.push_back(l);
  EXPECT_EQ(envelope, (std::vector<std::string>{"XFORWARD ADDR=192.0.2.2 NAME=client.example", "MAIL FROM:<a@example.com>",
                                                "RCPT TO:<b@example.org>", "DATA"}))
      << "dropped at " << verb;
}

TEST(RelayReuse, AConnectionDeadAtMailIsReplacedOnce) { expect_replayed_after_drop_at("MAIL"); }
TEST(RelayReuse, AConnectionDeadAtRcptIsReplacedAndTheEnvelopeReplayed) { expect_replayed_after_drop_at("RCPT"); }
TEST(RelayReuse, AConnectionDeadAtDataIsReplacedAndTheEnvelopeReplayed) { expect_replayed_after_drop_at("DATA"); }

TEST(RelayReuse, ANewConnectionThatFailsIsNotRetried) {
  FakeDownstream down({.close_at_end = true});
  RelayUnderTest relay(reuse_config(down.port(), std::chrono::seconds(5)));
  Client client(relay.port());
  greet(client);
  EXPECT_EQ(send_message(client, "", "one").substr(0, 9), "451 4.4.2");
  EXPECT_EQ(down.connections(), 1);
}

TEST(RelayReuse, TheNextSessionTakesTheParkedConnection) {
  FakeDownstream down({.xforward = true});
  RelayUnderTest relay(reuse_config(down.port(), std::chrono::seconds(5)));
  for (int session = 0; session < 3; ++session) {
    Client client(relay.port());
    greet(client);
    EXPECT_EQ(send_message(client, "192.0.2." + std::to_string(session + 1), "s").substr(0, 4), "250 ");
    run_script(client, std::vector<Step>{{"QUIT", "221"}});
  }
  EXPECT_EQ(down.connections(), 1);
  EXPECT_EQ(down.count("XFORWARD"), 3u);
  EXPECT_EQ(down.count("EHLO"), 1u);
  EXPECT_FALSE(down.saw("QUIT"));  // still parked
}

TEST(RelayReuse, AParkedConnectionGetsQuitAfterTheIdleTime) {
  FakeDownstream down({});
  RelayUnderTest relay(reuse_config(down.port(), std::chrono::seconds(1)));
  {
    Client client(relay.port());
    greet(client);
    EXPECT_EQ(send_message(client, "", "s").substr(0, 4), "250 ");
    run_script(client, std::vector<Step>{{"QUIT", "221"}});
  }
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_FALSE(down.saw("QUIT"));
  std::this_thread::sleep_for(milliseconds(1500));
  EXPECT_TRUE(down.saw("QUIT"));
}

TEST(RelayReuse, AParkedConnectionTheDownstreamClosedIsNotUsed) {
  FakeDownstream down({.idle_421_after = milliseconds(100)});
  RelayUnderTest relay(reuse_config(down.port(), std::chrono::seconds(5)));
  for (int session = 0; session < 2; ++session) {
    Client client(relay.port());
    greet(client);
    EXPECT_EQ(send_message(client, "", "s").substr(0, 4), "250 ") << "session " << session;
    run_script(client, std::vector<Step>{{"QUIT", "221"}});
    std::this_thread::sleep_for(milliseconds(400));  // parked; the downstream says 421 and closes
  }
  EXPECT_EQ(down.connections(), 2);
}

TEST(RelayReuse, WithNoIdleTimeEachSessionQuitsItsConnection) {
  FakeDownstream down({});
  RelayUnderTest relay(reuse_config(down.port(), std::chrono::seconds(0)));  // the proxy's default
  for (int session = 0; session < 2; ++session) {
    Client client(relay.port());
    greet(client);
    EXPECT_EQ(send_message(client, "", "s").substr(0, 4), "250 ");
    run_script(client, std::vector<Step>{{"QUIT", "221"}});
  }
  std::this_thread::sleep_for(milliseconds(200));  // the relay QUITs downstream after its 221
  EXPECT_EQ(down.connections(), 2);
  EXPECT_EQ(down.count("QUIT"), 2u);
}

TEST(RelayReuse, ShutdownClosesParkedConnections) {
  FakeDownstream down({});
  RelayUnderTest relay(reuse_config(down.port(), std::chrono::seconds(30)));
  {
    Client client(relay.port());
    greet(client);
    EXPECT_EQ(send_message(client, "", "s").substr(0, 4), "250 ");
    run_script(client, std::vector<Step>{{"QUIT", "221"}});
  }
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_FALSE(down.saw("QUIT"));
  relay.context().start_draining();
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_TRUE(down.saw("QUIT"));
}

}  // namespace
}  // namespace postseal::relay
