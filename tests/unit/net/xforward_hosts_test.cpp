// xforward_hosts_test.cpp - the relay daemons' xforward_hosts key: IPv6 prefixes are honoured
// (inside accepted, outside refused) by a real relay session on ::1, and a bad entry is a
// config error (exit 78) naming the key and the entry.
#include "core/relay/session.hpp"
#include "core/util/errors.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read_until.hpp>
#include <asio/write.hpp>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace postseal::relay {
namespace {

const Defaults kDefaults{.listen = "127.0.0.1:10027", .relay = "127.0.0.1:10028"};

RelayConfig config_with(std::string_view toml) {
  config::declare(relay_config_keys("proxy", kDefaults));
  auto file = config::File::parse(toml, "test.toml");
  return load_relay_config(&file, "proxy", kDefaults);
}

// xforward_reply - connect to a relay session from ::1, send XFORWARD, return its reply line.
std::string xforward_reply(RelayConfig config) {
  asio::io_context io;
  asio::ip::tcp::endpoint listen(asio::ip::make_address("::1"), 0);
  net::Acceptor acceptor(io, asio::generic::stream_protocol::endpoint(listen));
  asio::ip::tcp::endpoint bound(asio::ip::make_address("::1"), 0);
  std::memcpy(bound.data(), acceptor.local_endpoint().data(), acceptor.local_endpoint().size());
  RelayContext context(std::move(config), StepFactory{}, "test server");
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    net::Socket socket(io);
    co_await acceptor.async_accept(socket, asio::use_awaitable);
    co_await run_session(std::move(socket), context);
  }, asio::detached);
  asio::ip::tcp::socket client(io);
  std::string reply;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    co_await client.async_connect(bound, asio::use_awaitable);
    std::string in;
    co_await asio::async_read_until(client, asio::dynamic_buffer(in), "\r\n", asio::use_awaitable);
    co_await asio::async_write(client, asio::buffer(std::string("XFORWARD ADDR=192.0.2.9\r\n")), asio::use_awaitable);
    in.clear();
    co_await asio::async_read_until(client, asio::dynamic_buffer(in), "\r\n", asio::use_awaitable);
    reply = in.substr(0, in.find("\r\n"));
    co_await asio::async_write(client, asio::buffer(std::string("QUIT\r\n")), asio::use_awaitable);
  }, asio::detached);
  io.run_for(std::chrono::seconds(10));
  return reply;
}

TEST(XforwardHosts, Ipv6PrefixIsHonoured) {
  auto c = config_with("[proxy]\nxforward_hosts = [\"2001:db8::/32\"]\n");
  EXPECT_TRUE(c.xforward_hosts.matches(std::string_view("2001:db8::1")));
  EXPECT_TRUE(c.xforward_hosts.matches(std::string_view("2001:db8:ffff:ffff::25")));
  EXPECT_FALSE(c.xforward_hosts.matches(std::string_view("2001:db9::1")));
  EXPECT_FALSE(c.xforward_hosts.matches(std::string_view("127.0.0.1")));
}

TEST(XforwardHosts, SessionAcceptsInsideAndRefusesOutside) {
  EXPECT_EQ(xforward_reply(config_with("[proxy]\nxforward_hosts = [\"::/120\"]\n")).substr(0, 4), "250 ");
  EXPECT_EQ(xforward_reply(config_with("[proxy]\nxforward_hosts = [\"::1/128\"]\n")).substr(0, 4), "250 ");
  EXPECT_EQ(xforward_reply(config_with("[proxy]\nxforward_hosts = [\"2001:db8::/32\"]\n")).substr(0, 4), "550 ");
  EXPECT_EQ(xforward_reply(config_with("[proxy]\nxforward_hosts = [\"127.0.0.0/8\"]\n")).substr(0, 4), "550 ");
}

TEST(XforwardHosts, BadEntryIsAConfigErrorNamingIt) {
  for (std::string bad : {"2001:db8::/129", "192.0.2.0/33", "10.0.0.0/8x", "127.0.0.1/4294967329", "mx.example.com"}) {
    try {
      config_with("[proxy]\nxforward_hosts = [\"127.0.0.1\", \"" + bad + "\"]\n");
      ADD_FAILURE() << bad << " accepted";
    } catch (const StartupError& e) {
      EXPECT_EQ(e.code(), kExitConfig) << e.what();
      EXPECT_NE(std::string(e.what()).find("proxy.xforward_hosts"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace postseal::relay
