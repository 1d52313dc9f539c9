// daemon.cpp - srsd's sessions and its start-up/shut-down sequence (see daemon.hpp).
#include "srs/daemon.hpp"

#include "core/metrics/events.hpp"
#include "core/metrics/exposer.hpp"
#include "core/metrics/stage.hpp"
#include "core/net/deadline.hpp"
#include "core/net/privileges.hpp"
#include "core/net/session_threads.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"
#include "srs/netstring.hpp"
#include "srs/socketmap.hpp"
#include "srs/tcp_table.hpp"

#include <asio/co_spawn.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <fmt/format.h>

#include <array>
#include <memory>
#include <optional>

namespace postseal::srs {
namespace {

// kReadChunk - octets read from a socket at a time.
constexpr std::size_t kReadChunk = 8192;

// result_label - the lookup's result in postseal_srs_total: rewritten, or why not.
std::string_view result_label(const Lookup& r) {
  if (r.found) return "rewritten";
  if (r.reason.starts_with("bad hash")) return "bad_hash";
  if (r.reason.starts_with("expired")) return "expired";
  if (r.reason.starts_with("not SRS")) return "not_srs";
  if (r.reason.starts_with("no @") || r.reason.starts_with("too long") || r.reason.starts_with("control"))
    return "malformed";
  return "not_rewritten";
}

Lookup lookup(const Rewriter& rw, Direction d, std::string_view key, bool verbose) {
  Lookup r = [&] {
    metrics::StageTimer timer(metrics::Stage::srs);
    return d == Direction::forward ? rw.forward(key) : rw.reverse(key);
  }();
  const char* map = d == Direction::forward ? "forward" : "reverse";
  metrics::count_srs(map, result_label(r));
  if (verbose)
    log::debug("{} {} -> {}", map, printable(key), r.found ? printable(r.value) : "not found: " + r.reason);
  else if (d == Direction::reverse && !r.found &&
           (r.reason.starts_with("bad hash") || r.reason.starts_with("expired")))
    log::info("reverse {} refused: {}", printable(key), r.reason);
  return r;
}

// socketmap_answer - the reply netstring for one request payload.
std::string socketmap_answer(const Rewriter& rw, std::string_view payload, bool verbose) {
  auto request = parse_socketmap_request(payload);
  if (!request) return socketmap_reply(SocketmapStatus::perm, request.error());
  Direction d;
  if (request->name == "forward") d = Direction::forward;
  else if (request->name == "reverse") d = Direction::reverse;
  else return socketmap_reply(SocketmapStatus::perm, "unknown map " + printable(request->name, 64));
  Lookup r = lookup(rw, d, request->key, verbose);
  return r.found ? socketmap_reply(SocketmapStatus::ok, r.value)
                 : socketmap_reply(SocketmapStatus::notfound, {});
}

// tcp_answer - the reply line for one request line (without its '\n').
std::string tcp_answer(const Rewriter& rw, Direction d, std::string_view line, bool verbose) {
  auto key = parse_tcp_request(line);
  if (!key) return tcp_reply(500, key.error());
  Lookup r = lookup(rw, d, *key, verbose);
  return r.found ? tcp_reply(200, r.value) : tcp_reply(500, r.reason);
}

// Reader - reads into a bounded buffer under an idle deadline.
struct Reader {
  net::Socket& socket;
  net::Deadline deadline;
  std::chrono::seconds idle;
  std::string buffer;

  Reader(net::Socket& s, std::chrono::seconds i) : socket(s), deadline(s, i), idle(i) {
    std::error_code ec;
    socket.non_blocking(true, ec);  // for send()'s direct write; once, it costs a syscall
  }

  // more - append what arrives next; false at end of stream, error or timeout. The idle
  // deadline is re-armed only between requests (`in_request` false): a request must arrive
  // whole within the idle timeout, so a client trickling a byte at a time is cut. A reset is
  // a clock read (net::Deadline re-arms its timer only when it fires early).
  asio::awaitable<bool> more(bool in_request) {
    std::array<char, kReadChunk> chunk;
    std::error_code ec;
    if (!in_request) deadline.reset(idle);
    const std::size_t n = co_await socket.async_read_some(
        asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return false;
    buffer.append(chunk.data(), n);
    co_return true;
  }

  // send - write `out`: first straight away (a reply almost always fits the socket buffer,
  // which saves a trip through the reactor), then asynchronously for whatever is left.
  asio::awaitable<bool> send(const std::string& out) {
    if (out.empty()) co_return true;
    std::error_code ec;
    const std::size_t done = socket.write_some(asio::buffer(out), ec);
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) co_return false;
    if (done == out.size()) co_return true;
    ec.clear();
    co_await asio::async_write(socket, asio::buffer(out.data() + done, out.size() - done),
                               asio::redirect_error(asio::use_awaitable, ec));
    co_return !ec;
  }
};

}  // namespace

asio::awaitable<void> socketmap_session(net::Socket socket, const LookupHolder& lookups,
                                        std::chrono::seconds idle, bool verbose) {
  Reader reader(socket, idle);
  for (;;) {
    const auto state = lookups.get();
    const Rewriter& rewriter = state->rewriter;
    std::string out;
    std::size_t pos = 0;
    for (;;) {
      auto p = parse_netstring(std::string_view(reader.buffer).substr(pos), kMaxQueryOctets);
      if (p.status == NetstringParse::Status::incomplete) break;
      if (p.status == NetstringParse::Status::error) {
        log::warning("socketmap: {}: closing the connection", p.error);
        co_await reader.send(out);
        co_return;
      }
      out += socketmap_answer(rewriter, p.payload, verbose);
      pos += p.consumed;
    }
    reader.buffer.erase(0, pos);
    if (!co_await reader.send(out)) co_return;
    if (!co_await reader.more(!reader.buffer.empty())) {
      if (!reader.buffer.empty()) log::warning("socketmap: connection closed in mid-request");
      co_return;
    }
  }
}

asio::awaitable<void> tcp_table_session(net::Socket socket, const LookupHolder& lookups,
                                        Direction direction, std::chrono::seconds idle,
                                        bool verbose) {
  Reader reader(socket, idle);
  bool skipping = false;  // inside a line that was too long: drop it up to its '\n'
  for (;;) {
    const auto state = lookups.get();
    const Rewriter& rewriter = state->rewriter;
    std::string out;
    std::size_t pos = 0;
    for (;;) {
      const auto nl = reader.buffer.find('\n', pos);
      if (nl == std::string::npos) break;
      if (!skipping) {
        const std::string_view line = std::string_view(reader.buffer).substr(pos, nl - pos);
        out += nl - pos + 1 > kMaxLineOctets ? tcp_reply(500, "line too long")
                                             : tcp_answer(rewriter, direction, line, verbose);
      }
      skipping = false;
      pos = nl + 1;
    }
    reader.buffer.erase(0, pos);
    if (reader.buffer.size() >= kMaxLineOctets) {
      if (!skipping) out += tcp_reply(500, "line too long");
      skipping = true;
      reader.buffer.clear();
    }
    if (!co_await reader.send(out)) co_return;
    if (!co_await reader.more(skipping || !reader.buffer.empty())) co_return;
  }
}

int run_daemon(const DaemonSettings& s, LookupHolder& lookups, Reload reload) {
  net::Daemon daemon("srsd", 1);  // signals, listeners, drain; the sessions: below
  std::vector<std::unique_ptr<net::Server>> servers;
  const auto idle = s.idle_timeout;
  const bool verbose = s.verbose;
  if (s.socketmap) {
    servers.push_back(std::make_unique<net::Server>(
        daemon.io(), "socketmap", s.max_connections, [&lookups, idle, verbose](net::Socket sock) {
          return socketmap_session(std::move(sock), lookups, idle, verbose);
        }));
    servers.back()->listen(*s.socketmap);
  }
  for (auto [ep, d, name] : {std::tuple{&s.tcp_forward, Direction::forward, "tcp-forward"},
                             std::tuple{&s.tcp_reverse, Direction::reverse, "tcp-reverse"}}) {
    if (!*ep) continue;
    servers.push_back(std::make_unique<net::Server>(
        daemon.io(), name, s.max_connections, [&lookups, d, idle, verbose](net::Socket sock) {
          return tcp_table_session(std::move(sock), lookups, d, idle, verbose);
        }));
    servers.back()->listen(**ep);
  }
  // srs.threads > 1: the sessions on threads with an io_context each, as the signer's
  // (declared after the servers and destroyed before them: open sessions end first)
  std::optional<net::SessionThreads> sessions;
  if (s.threads > 1) sessions.emplace(s.threads);
  const auto metrics_endpoint = metrics::start_exposer(s.metrics, "srsd");
  net::drop_privileges(s.user);
  if (auto problem = net::fd_budget_problem("srsd", servers.size() * s.max_connections, 1,
                                            net::raise_fd_limit());
      !problem.empty())
    log::warning("{}", problem);
  net::DaemonHooks hooks;
  hooks.reload = [&lookups, reload]() -> std::expected<std::string, std::string> {
    auto fresh = reload();
    if (!fresh) return std::unexpected(fresh.error());
    lookups.set(*fresh);
    return "domain " + (*fresh)->rewriter.domain();
  };
  // lookups are answered at once: closing the listeners and the persistent connections is
  // the whole drain
  hooks.drain = [&servers](std::function<void()> done) {
    for (auto& server : servers) server->stop();
    done();
  };
  if (sessions) sessions->start();
  for (auto& server : servers) {
    if (sessions) server->spread_over([&sessions] { return sessions->next(); });
    server->start();
  }
  return daemon.run(std::move(hooks),
                    fmt::format("domain {}{}{}{}", lookups.get()->rewriter.domain(),
                                s.socketmap ? ", socketmap " + s.socketmap->str() : "",
                                s.tcp_forward ? ", tcp forward " + s.tcp_forward->str() : "",
                                s.tcp_reverse ? ", tcp reverse " + s.tcp_reverse->str() : ""));
}

}  // namespace postseal::srs
