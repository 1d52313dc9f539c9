// downstream_pool_test.cpp - core/relay/downstream_pool: parked connections are found by key,
// the most recent first; the count limit and the idle limit hold, and a connection that is
// not kept is ended with QUIT (seen by the peer) and closed; close_all empties the pool for
// shutdown. Connections are socketpair(2) ends, the peer end standing for the downstream.
#include "core/relay/downstream_pool.hpp"

#include <asio/io_context.hpp>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace postseal::relay {
namespace {

using std::chrono::seconds;

// Pair - a connection (handed to the pool) and the downstream's end of it.
struct Pair {
  int ours = -1;
  int peer = -1;
  Pair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    ours = fds[0];
    peer = fds[1];
  }
  ~Pair() { ::close(peer); }
  smtp::Client::Detached detached() const {
    smtp::Client::Detached d;
    d.fd = ours;
    d.family = AF_UNIX;
    d.extensions = {"xforward"};
    return d;
  }
  // peer_reads - what the downstream end receives until end of file (waits at most 3 s).
  std::string peer_reads() const {
    std::string got;
    for (;;) {
      pollfd p{peer, POLLIN, 0};
      if (::poll(&p, 1, 3000) <= 0) return got + "<timeout>";
      char buf[64];
      ssize_t n = ::read(peer, buf, sizeof buf);
      if (n <= 0) return got;
      got.append(buf, static_cast<std::size_t>(n));
    }
  }
  // peer_hears_nothing - nothing arrived and the connection is still open.
  bool peer_hears_nothing() const {
    pollfd p{peer, POLLIN, 0};
    return ::poll(&p, 1, 0) == 0;
  }
};

TEST(DownstreamPool, TakesTheMostRecentConnectionOfTheSameKey) {
  asio::io_context io;
  DownstreamPool pool;
  Pair a, b, c;
  EXPECT_TRUE(pool.park(io.get_executor(), "127.0.0.1:10028 host", a.detached(), seconds(5), 10));
  EXPECT_TRUE(pool.park(io.get_executor(), "127.0.0.1:10028 host", b.detached(), seconds(5), 10));
  EXPECT_TRUE(pool.park(io.get_executor(), "127.0.0.1:9999 host", c.detached(), seconds(5), 10));
  EXPECT_EQ(pool.size(), 3u);
  auto first = pool.take("127.0.0.1:10028 host");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->fd, b.ours);
  EXPECT_TRUE(first->extensions.contains("xforward"));
  auto second = pool.take("127.0.0.1:10028 host");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->fd, a.ours);
  EXPECT_FALSE(pool.take("127.0.0.1:10028 host").has_value());
  EXPECT_FALSE(pool.take("127.0.0.1:10028 other-name").has_value());
  EXPECT_EQ(pool.size(), 1u);
  EXPECT_TRUE(a.peer_hears_nothing());
  ::close(first->fd);
  ::close(second->fd);
}

TEST(DownstreamPool, ConnectionsBeyondTheLimitAreQuitAndClosed) {
  asio::io_context io;
  DownstreamPool pool;
  Pair kept, extra;
  EXPECT_TRUE(pool.park(io.get_executor(), "k", kept.detached(), seconds(5), 1));
  EXPECT_FALSE(pool.park(io.get_executor(), "k", extra.detached(), seconds(5), 1));
  EXPECT_EQ(pool.size(), 1u);
  EXPECT_EQ(extra.peer_reads(), "QUIT\r\n");
  EXPECT_TRUE(kept.peer_hears_nothing());
}

TEST(DownstreamPool, ZeroIdleTimeOrZeroCountKeepsNothing) {
  asio::io_context io;
  DownstreamPool pool;
  Pair a, b;
  EXPECT_FALSE(pool.park(io.get_executor(), "k", a.detached(), seconds(0), 10));
  EXPECT_FALSE(pool.park(io.get_executor(), "k", b.detached(), seconds(5), 0));
  EXPECT_EQ(pool.size(), 0u);
  EXPECT_EQ(a.peer_reads(), "QUIT\r\n");
  EXPECT_EQ(b.peer_reads(), "QUIT\r\n");
}

TEST(DownstreamPool, AParkedConnectionIsClosedAfterTheIdleTime) {
  asio::io_context io;
  DownstreamPool pool;
  Pair a;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(pool.park(io.get_executor(), "k", a.detached(), seconds(1), 10));
  io.run();  // until the idle timer has fired
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(950));
  EXPECT_EQ(pool.size(), 0u);
  EXPECT_FALSE(pool.take("k").has_value());
  EXPECT_EQ(a.peer_reads(), "QUIT\r\n");
}

TEST(DownstreamPool, ATakenConnectionIsNotClosedByItsIdleTimer) {
  asio::io_context io;
  DownstreamPool pool;
  Pair a;
  EXPECT_TRUE(pool.park(io.get_executor(), "k", a.detached(), seconds(1), 10));
  auto taken = pool.take("k");
  ASSERT_TRUE(taken.has_value());
  io.run();
  EXPECT_TRUE(a.peer_hears_nothing());
  ::close(taken->fd);
}

TEST(DownstreamPool, CloseAllEndsEveryParkedConnectionAndParksNoMore) {
  asio::io_context io;
  DownstreamPool pool;
  Pair a, b;
  EXPECT_TRUE(pool.park(io.get_executor(), "k", a.detached(), seconds(5), 10));
  pool.close_all();
  EXPECT_EQ(pool.size(), 0u);
  EXPECT_EQ(a.peer_reads(), "QUIT\r\n");
  EXPECT_FALSE(pool.park(io.get_executor(), "k", b.detached(), seconds(5), 10));
  EXPECT_EQ(b.peer_reads(), "QUIT\r\n");
}

}  // namespace
}  // namespace postseal::relay
