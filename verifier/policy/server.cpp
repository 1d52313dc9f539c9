// server.cpp - the policy protocol loops (see server.hpp).
#include "verifier/policy/server.hpp"

#include "core/metrics/events.hpp"
#include "core/metrics/stage.hpp"
#include "core/net/deadline.hpp"
#include "core/util/log.hpp"
#include "verifier/policy/session.hpp"

#include <asio/redirect_error.hpp>
#include <asio/buffer.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <array>
#include <cerrno>
#include <functional>
#include <unistd.h>

// GCC 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames at -O2.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace postseal::policy {

namespace {

// answer_ready - answers for every complete request in the reader; false when the
// connection must close (protocol error or internal error).
asio::awaitable<bool> answer_ready(RequestReader& reader, PolicySession& session, std::string& out) {
  for (;;) {
    auto next = reader.next();
    if (!next) {
      log::warning("policy protocol error: {}: closing the connection", to_string(next.error()));
      co_return false;
    }
    if (!*next) co_return true;
    try {
      metrics::StageTimer timer(metrics::Stage::policy_request);
      std::string answer = co_await session.answer(**next);
      metrics::count_policy_answer(answer);
      out += answer;
    } catch (const std::exception& e) {
      log::error("policy service error: {}: closing the connection without an answer", e.what());
      co_return false;
    }
  }
}

// serve - the loop over any pair of Asio streams; `before_read` resets the idle deadline,
// only between requests: a request must arrive whole within the idle timeout, so a client
// trickling a byte at a time cannot hold the connection.
template <typename In, typename Out>
asio::awaitable<void> serve(In& in, Out& out, decision::Decider& decider, greylist::Service* greylisting,
                            const std::function<void()>& before_read) {
  RequestReader reader;
  PolicySession session(decider, greylisting);
  std::array<char, kReadChunkOctets> chunk;
  std::string answers;
  for (;;) {
    if (before_read && !reader.in_request()) before_read();
    asio::error_code ec;
    auto n = co_await in.async_read_some(asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    reader.feed(std::string_view(chunk.data(), n));
    answers.clear();
    bool keep = co_await answer_ready(reader, session, answers);
    if (!answers.empty()) {
      asio::error_code wec;
      co_await asio::async_write(out, asio::buffer(answers), asio::redirect_error(asio::use_awaitable, wec));
      if (wec) co_return;
    }
    if (!keep) co_return;
  }
}

}  // namespace

asio::awaitable<void> serve_connection(net::Socket socket, decision::Decider& decider,
                                       std::chrono::seconds idle, greylist::Service* greylisting) {
  net::Deadline deadline(socket, idle);
  std::function<void()> reset = [&] { deadline.reset(idle); };
  co_await serve(socket, socket, decider, greylisting, reset);
  asio::error_code ignored;
  socket.shutdown(asio::socket_base::shutdown_both, ignored);
  socket.close(ignored);
}

// write_all - blocking write of every byte; false on error.
static bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    auto n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void serve_stdio(asio::io_context& io, int in_fd, int out_fd, decision::Decider& decider,
                 greylist::Service* greylisting) {
  RequestReader reader;
  PolicySession session(decider, greylisting);
  std::array<char, kReadChunkOctets> chunk;
  for (;;) {
    auto n = ::read(in_fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    reader.feed(std::string_view(chunk.data(), static_cast<std::size_t>(n)));
    std::string answers;
    bool keep = true;
    bool done = false;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
      keep = co_await answer_ready(reader, session, answers);
      done = true;
    }, asio::detached);
    io.restart();
    while (!done && io.run_one() > 0) {
    }
    if (!done) return;  // the io_context ran out of work: nothing more can answer
    if (!answers.empty() && !write_all(out_fd, answers)) return;
    if (!keep) return;
  }
}

}  // namespace postseal::policy
