// client_reuse_test.cpp - core/smtp/client's reuse between transactions: quiet() tells an idle
// connection from one the server closed or sent an unsolicited reply on (a 421 on its idle
// timeout), and a detached connection adopted on another executor keeps its EHLO keywords and
// carries the next command. The server is the far end of a socketpair(2).
#include "core/smtp/client.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

namespace postseal::smtp {
namespace {

using std::chrono::seconds;

// Pair - a client over one end of a socketpair, the server's end kept raw.
struct Pair {
  asio::io_context io;
  std::unique_ptr<Client> client;
  int server = -1;
  Pair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    net::Socket socket(io);
    socket.assign(asio::generic::stream_protocol(AF_UNIX, 0), fds[0]);
    client = std::make_unique<Client>(std::move(socket), seconds(5));
    server = fds[1];
  }
  ~Pair() {
    if (server >= 0) ::close(server);
  }
  void server_says(std::string_view text) { ASSERT_EQ(::write(server, text.data(), text.size()), static_cast<ssize_t>(text.size())); }
};

TEST(ClientReuse, AnIdleConnectionIsQuiet) {
  Pair p;
  EXPECT_TRUE(p.client->quiet());
  EXPECT_TRUE(p.client->quiet());  // checking reads nothing
}

TEST(ClientReuse, AConnectionTheServerClosedIsNotQuiet) {
  Pair p;
  ::close(p.server);
  p.server = -1;
  EXPECT_FALSE(p.client->quiet());
}

TEST(ClientReuse, AnUnsolicited421IsNotQuiet) {
  Pair p;
  p.server_says("421 4.4.2 server Error: timeout exceeded\r\n");
  EXPECT_FALSE(p.client->quiet());
}

TEST(ClientReuse, DetachOfADeadConnectionGivesNothing) {
  Pair p;
  p.server_says("421 4.4.2 closing\r\n");
  EXPECT_FALSE(p.client->detach().has_value());
  EXPECT_FALSE(p.client->usable());
}

TEST(ClientReuse, AnAdoptedConnectionCarriesTheNextCommand) {
  Pair p;
  auto detached = p.client->detach();
  ASSERT_TRUE(detached.has_value());
  EXPECT_FALSE(p.client->usable());
  p.client.reset();  // the old owner goes; the descriptor stays open
  detached->extensions = {"xforward", "pipelining"};
  asio::io_context other;
  auto adopted = Client::adopt(other.get_executor(), std::move(*detached), seconds(5));
  ASSERT_TRUE(adopted.has_value());
  Client& c = **adopted;
  EXPECT_TRUE(c.supports("XFORWARD"));
  EXPECT_TRUE(c.quiet());
  std::thread server([fd = p.server] {
    char buf[64];
    ssize_t n = ::read(fd, buf, sizeof buf);
    EXPECT_EQ(std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0), "NOOP\r\n");
    constexpr std::string_view ok = "250 2.0.0 Ok\r\n";
    EXPECT_EQ(::write(fd, ok.data(), ok.size()), static_cast<ssize_t>(ok.size()));
  });
  int code = 0;
  asio::co_spawn(other, c.command("NOOP"), [&](std::exception_ptr e, std::expected<Reply, std::string> r) {
    EXPECT_FALSE(e);
    if (r) code = r->code;
    other.stop();  // the client's deadline timer stays armed; run() would wait for it
  });
  other.run();
  server.join();
  EXPECT_EQ(code, 250);
  EXPECT_TRUE(c.quiet());
}

}  // namespace
}  // namespace postseal::smtp
