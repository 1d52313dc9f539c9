// client.cpp - SMTP client: connect, EHLO, commands with deadlines (see client.hpp).
#include "core/smtp/client.hpp"

#include "core/smtp/command.hpp"
#include "core/util/text.hpp"

#include <asio/redirect_error.hpp>
#include <asio/generic/stream_protocol.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/use_awaitable.hpp>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace postseal::smtp {
namespace {

asio::generic::stream_protocol::endpoint to_generic(const net::Endpoint& e) {
  if (e.kind == net::Endpoint::Kind::unix_socket)
    return asio::generic::stream_protocol::endpoint(asio::local::stream_protocol::endpoint(e.path));
  std::string host = e.host == "localhost" ? "127.0.0.1" : e.host;
  return asio::generic::stream_protocol::endpoint(
      asio::ip::tcp::endpoint(asio::ip::make_address(host), e.port));
}

// readable_now - whether `fd` has bytes or an end of file waiting (poll with no wait).
bool readable_now(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) != 0;
}

}  // namespace

Client::Client(net::Socket socket, Duration timeout)
    : stream_(std::move(socket)), timeout_(timeout), deadline_(stream_.socket(), timeout) {}

asio::awaitable<std::expected<std::unique_ptr<Client>, std::string>> Client::connect(
    asio::any_io_executor executor, const net::Endpoint& endpoint, std::string_view helo,
    Duration timeout) {
  net::Socket socket(executor);
  std::error_code ec;
  auto peer = to_generic(endpoint);
  socket.open(peer.protocol(), ec);
  if (ec) co_return std::unexpected("socket: " + ec.message());
  auto client = std::make_unique<Client>(std::move(socket), timeout);
  std::error_code cec;
  co_await client->stream_.socket().async_connect(peer, asio::redirect_error(asio::use_awaitable, cec));
  if (cec) co_return std::unexpected("connect to " + endpoint.str() + ": " + cec.message());
  if (endpoint.kind != net::Endpoint::Kind::unix_socket) {
    // Commands and message parts are written in separate small writes while the previous one
    // is unacknowledged: without TCP_NODELAY, Nagle holds each back for the peer's delayed ACK
    // (~40 ms per message on Linux loopback).
    int one = 1;
    ::setsockopt(client->stream_.socket().native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  auto greeting = co_await client->read_reply();
  if (!greeting) co_return std::unexpected("greeting from " + endpoint.str() + ": " + greeting.error());
  if (greeting->code != 220)
    co_return std::unexpected("greeting from " + endpoint.str() + ": " + std::to_string(greeting->code) + " " + greeting->text());
  auto ehlo = co_await client->command("EHLO " + std::string(helo));
  if (!ehlo) co_return std::unexpected("EHLO: " + ehlo.error());
  if (ehlo->code != 250) co_return std::unexpected("EHLO: " + std::to_string(ehlo->code) + " " + ehlo->text());
  client->note_extensions(*ehlo);
  co_return client;
}

void Client::note_extensions(const Reply& ehlo) {
  for (std::size_t i = 1; i < ehlo.lines.size(); ++i) {
    std::string_view line = ehlo.lines[i];
    std::string keyword = to_lower(line.substr(0, line.find(' ')));
    extensions_.insert(keyword);
    if (keyword == "xforward") xforward_ = std::string(line);
  }
}

bool Client::quiet() {
  if (!usable_ || stream_.buffered() || !stream_.socket().is_open()) return false;
  return !readable_now(stream_.socket().native_handle());
}

std::optional<Client::Detached> Client::detach() {
  if (!quiet()) {
    close();
    return std::nullopt;
  }
  auto& socket = stream_.socket();
  std::error_code ec;
  auto protocol = socket.local_endpoint(ec).protocol();
  if (ec) {
    close();
    return std::nullopt;
  }
  Detached d;
  d.family = protocol.family();
  d.protocol = protocol.protocol();
  d.fd = socket.release(ec);
  if (ec) {
    close();
    return std::nullopt;
  }
  usable_ = false;
  d.extensions = std::move(extensions_);
  d.xforward = std::move(xforward_);
  return d;
}

std::expected<std::unique_ptr<Client>, std::string> Client::adopt(asio::any_io_executor executor,
                                                                  Detached connection, Duration timeout) {
  net::Socket socket(executor);
  std::error_code ec;
  socket.assign(asio::generic::stream_protocol(connection.family, connection.protocol), connection.fd, ec);
  if (ec) {
    ::close(connection.fd);
    return std::unexpected("adopting a cached connection: " + ec.message());
  }
  auto client = std::make_unique<Client>(std::move(socket), timeout);
  client->extensions_ = std::move(connection.extensions);
  client->xforward_ = std::move(connection.xforward);
  return client;
}

bool Client::supports(std::string_view keyword) const { return extensions_.contains(to_lower(keyword)); }

asio::awaitable<std::expected<Reply, std::string>> Client::read_reply() {
  Reply reply;
  for (;;) {
    deadline_.reset(timeout_);
    auto line = co_await stream_.read_line(kMaxCommandLineOctets);
    if (!line) {
      usable_ = false;
      if (deadline_.expired()) co_return std::unexpected("timed out waiting for a reply");
      std::string why = "connection closed without a reply";
      if (line.error() == StreamError::too_long) why = "reply line too long";
      co_return std::unexpected(why);
    }
    auto parsed = parse_reply_line(*line);
    if (!parsed || (reply.code != 0 && parsed->code != reply.code) || reply.lines.size() >= kMaxReplyLines) {
      usable_ = false;
      co_return std::unexpected("malformed reply: " + printable(*line, 80));
    }
    reply.code = parsed->code;
    reply.lines.push_back(std::move(parsed->text));
    if (parsed->last) co_return reply;
  }
}

asio::awaitable<std::expected<void, std::string>> Client::send(std::string_view data) {
  const std::string_view parts[] = {data};
  co_return co_await send(parts);
}

asio::awaitable<std::expected<void, std::string>> Client::send(std::span<const std::string_view> parts) {
  deadline_.reset(timeout_);
  bool ok = co_await stream_.write(parts);
  std::expected<void, std::string> result;
  if (!ok) {
    usable_ = false;
    std::string why = "connection lost while sending";
    if (deadline_.expired()) why = "timed out sending";
    result = std::unexpected(why);
  }
  co_return result;
}

asio::awaitable<std::expected<Reply, std::string>> Client::command(std::string_view line) {
  std::string wire(line);
  wire += "\r\n";
  auto sent = co_await send(wire);
  if (!sent) co_return std::unexpected(sent.error());
  co_return co_await read_reply();
}

asio::awaitable<std::vector<std::expected<Reply, std::string>>> Client::group(
    std::span<const std::string> lines) {
  std::vector<std::expected<Reply, std::string>> replies;
  if (!supports("PIPELINING")) {
    for (const auto& line : lines) {
      replies.push_back(co_await command(line));
      if (!replies.back() || !replies.back()->positive()) break;
    }
    co_return replies;
  }
  std::string wire;
  for (const auto& line : lines) {
    wire += line;
    wire += "\r\n";
  }
  if (auto sent = co_await send(wire); !sent) {
    replies.emplace_back(std::unexpected(sent.error()));
    co_return replies;
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    replies.push_back(co_await read_reply());
    if (!replies.back()) break;
  }
  co_return replies;
}

}  // namespace postseal::smtp
