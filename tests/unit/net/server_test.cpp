// server_test.cpp - the accept loop, the connection cap and the Deadline watchdog, over a
// unix socket in a private temporary directory (no network).
#include "core/net/deadline.hpp"
#include "core/net/server.hpp"
#include "core/net/session_threads.hpp"

#include <asio/connect.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <sys/socket.h>
#include <sys/time.h>

namespace postseal::net {
namespace {

std::string temp_socket_path(const char* name) {
  char dir[] = "/tmp/postseal-net-XXXXXX";
  EXPECT_NE(::mkdtemp(dir), nullptr);
  return std::string(dir) + "/" + name;
}

// read_all - what the server sent before closing.
std::string read_all(asio::local::stream_protocol::socket& s) {
  std::string out;
  std::error_code ec;
  char buf[256];
  for (;;) {
    auto n = s.read_some(asio::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  return out;
}

TEST(Server, ServesAndRefusesOverTheCap) {
  asio::io_context io;
  const std::string path = temp_socket_path("s.sock");
  Server server(io, "test", 1, [](Socket s) -> asio::awaitable<void> {
    co_await asio::async_write(s, asio::buffer(std::string("hello\n")), asio::use_awaitable);
    char c;
    std::error_code ec;  // hold the connection until the client closes it
    co_await s.async_read_some(asio::buffer(&c, 1), asio::redirect_error(asio::use_awaitable, ec));
  });
  server.on_busy([](Socket& s) {
    std::error_code ec;
    asio::write(s, asio::buffer(std::string("busy\n")), ec);
  });
  server.listen(*parse_endpoint("unix:" + path));
  server.start();
  std::thread runner([&] { io.run(); });

  asio::io_context client_io;
  asio::local::stream_protocol::socket first(client_io), second(client_io);
  first.connect(path);
  char buf[6];
  asio::read(first, asio::buffer(buf));
  EXPECT_EQ(std::string(buf, 6), "hello\n");
  EXPECT_EQ(server.active(), 1u);
  second.connect(path);
  EXPECT_EQ(read_all(second), "busy\n");
  first.close();
  for (int i = 0; i < 100 && server.active() != 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(server.active(), 0u);
  server.stop();
  io.stop();
  runner.join();
  EXPECT_FALSE(std::filesystem::exists(path));
}

// spread_over(SessionThreads): sessions run on the session threads, one context each, in turn
// (not on the thread running the listening io_context); stop() ends threads with sessions open.
TEST(Server, SpreadsSessionsOverTheSessionThreads) {
  asio::io_context io;
  const std::string path = temp_socket_path("t.sock");
  SessionThreads threads(2);
  std::mutex mutex;
  std::set<std::thread::id> seen;
  Server server(io, "test", 8, [&](Socket s) -> asio::awaitable<void> {
    {
      std::lock_guard lock(mutex);
      seen.insert(std::this_thread::get_id());
    }
    co_await asio::async_write(s, asio::buffer(std::string("hello\n")), asio::use_awaitable);
    char c;
    std::error_code ec;  // held open: stop() must end the threads anyway
    co_await s.async_read_some(asio::buffer(&c, 1), asio::redirect_error(asio::use_awaitable, ec));
  });
  server.spread_over([&threads] { return threads.next(); });
  server.listen(*parse_endpoint("unix:" + path));
  threads.start();
  server.start();
  std::thread runner([&] { io.run(); });
  const auto listener_thread = runner.get_id();

  asio::io_context client_io;
  std::vector<asio::local::stream_protocol::socket> clients;
  for (int i = 0; i < 4; ++i) {
    clients.emplace_back(client_io);
    clients.back().connect(path);
    char buf[6];
    asio::read(clients.back(), asio::buffer(buf));
    EXPECT_EQ(std::string(buf, 6), "hello\n");
  }
  EXPECT_EQ(server.active(), 4u);
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(seen.size(), 2u);  // four sessions, two threads, in turn
    EXPECT_FALSE(seen.contains(listener_thread));
  }
  server.stop();
  io.stop();
  runner.join();
  threads.stop();  // returns although the four sessions are still open
}

TEST(Deadline, ClosesTheSocketWhenTimeRunsOut) {
  asio::io_context io;
  const std::string path = temp_socket_path("d.sock");
  bool expired = false;
  Server server(io, "test", 4, [&](Socket s) -> asio::awaitable<void> {
    Deadline deadline(s, std::chrono::milliseconds(50));
    char c;
    std::error_code ec;
    co_await s.async_read_some(asio::buffer(&c, 1), asio::redirect_error(asio::use_awaitable, ec));
    expired = deadline.expired();
  });
  server.listen(*parse_endpoint("unix:" + path));
  server.start();
  asio::io_context client_io;
  asio::local::stream_protocol::socket client(client_io);
  client.connect(path);
  std::thread runner([&] { io.run_for(std::chrono::milliseconds(500)); });
  EXPECT_EQ(read_all(client), "");  // closed by the deadline, not by us
  runner.join();
  EXPECT_TRUE(expired);
}

TEST(Deadline, WithGraceTheSessionCanStillAnswerThenItIsClosed) {
  asio::io_context io;
  const std::string path = temp_socket_path("g.sock");
  bool expired = false, wrote = false;
  Server server(io, "test", 4, [&](Socket s) -> asio::awaitable<void> {
    Deadline deadline(s, std::chrono::milliseconds(50), std::chrono::milliseconds(200));
    char c;
    std::error_code ec;
    co_await s.async_read_some(asio::buffer(&c, 1), asio::redirect_error(asio::use_awaitable, ec));
    expired = deadline.expired();
    deadline.reset(std::chrono::hours(1));  // no effect once expired: the grace close stands
    co_await asio::async_write(s, asio::buffer(std::string_view("421 timeout\r\n")),
                               asio::redirect_error(asio::use_awaitable, ec));
    wrote = !ec;
    asio::steady_timer wait(s.get_executor(), std::chrono::milliseconds(400));
    co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));  // the session keeps s
  });
  server.listen(*parse_endpoint("unix:" + path));
  server.start();
  asio::io_context client_io;
  asio::local::stream_protocol::socket client(client_io);
  client.connect(path);
  std::thread runner([&] { io.run_for(std::chrono::milliseconds(800)); });
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(read_all(client), "421 timeout\r\n");  // then EOF: closed by the grace timer
  auto took = std::chrono::steady_clock::now() - start;
  runner.join();
  EXPECT_TRUE(expired);
  EXPECT_TRUE(wrote);
  EXPECT_LT(took, std::chrono::milliseconds(420)) << "closed after the grace, not when the session ended";
}

// A reset moves the due time on without touching the armed timer; the timer, firing before the
// due time, waits on for the rest instead of closing a connection that is still in use.
TEST(Deadline, ResetsKeepABusyConnectionOpenPastTheFirstDueTime) {
  asio::io_context io;
  const std::string path = temp_socket_path("r.sock");
  bool expired = false;
  int received = 0;
  Server server(io, "test", 4, [&](Socket s) -> asio::awaitable<void> {
    Deadline deadline(s, std::chrono::milliseconds(100));
    for (;;) {
      deadline.reset(std::chrono::milliseconds(100));
      char c;
      std::error_code ec;
      co_await s.async_read_some(asio::buffer(&c, 1), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      ++received;
    }
    expired = deadline.expired();
  });
  server.listen(*parse_endpoint("unix:" + path));
  server.start();
  std::thread runner([&] { io.run_for(std::chrono::milliseconds(1500)); });
  asio::io_context client_io;
  asio::local::stream_protocol::socket client(client_io);
  client.connect(path);
  for (int i = 0; i < 10; ++i) {  // a byte every 40 ms for 400 ms: never 100 ms idle
    std::error_code ec;
    asio::write(client, asio::buffer("x", 1), ec);
    if (ec) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
  }
  const auto quiet = std::chrono::steady_clock::now();
  EXPECT_EQ(read_all(client), "");  // then idle: closed by the deadline
  const auto took = std::chrono::steady_clock::now() - quiet;
  runner.join();
  EXPECT_EQ(received, 10) << "the connection was closed while in use";
  EXPECT_TRUE(expired);
  EXPECT_LT(took, std::chrono::milliseconds(400)) << "closed about 100 ms after the last byte";
}

TEST(Deadline, AResetToAShorterTimeTakesEffectAtOnce) {
  asio::io_context io;
  const std::string path = temp_socket_path("s2.sock");
  bool expired = false;
  Server server(io, "test", 4, [&](Socket s) -> asio::awaitable<void> {
    Deadline deadline(s, std::chrono::hours(1));
    deadline.reset(std::chrono::milliseconds(50));
    char c;
    std::error_code ec;
    co_await s.async_read_some(asio::buffer(&c, 1), asio::redirect_error(asio::use_awaitable, ec));
    expired = deadline.expired();
  });
  server.listen(*parse_endpoint("unix:" + path));
  server.start();
  asio::io_context client_io;
  asio::local::stream_protocol::socket client(client_io);
  client.connect(path);
  const timeval limit{2, 0};  // a failing deadline must not hang the test (plain recv: Asio's
  ::setsockopt(client.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);  // waits on)
  std::thread runner([&] { io.run_for(std::chrono::milliseconds(600)); });
  const auto start = std::chrono::steady_clock::now();
  char c;
  EXPECT_EQ(::recv(client.native_handle(), &c, 1, 0), 0) << "closed (EOF), not timed out";
  const auto took = std::chrono::steady_clock::now() - start;
  runner.join();
  EXPECT_TRUE(expired);
  EXPECT_LT(took, std::chrono::milliseconds(500)) << "the one-hour timer was kept";
}

}  // namespace
}  // namespace postseal::net
