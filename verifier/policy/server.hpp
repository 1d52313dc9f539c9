// server.hpp - serving the policy protocol on a socket or on stdin/stdout (master.cf spawn).
//
// Each connection reads requests (RequestReader limits), answers each with one write in
// order (answers to pipelined requests go out together), and closes on a protocol error or
// an internal error without answering (Postfix then applies its default action). Idle
// connections are closed after `idle` (Postfix's smtpd_policy_service_max_idle is 300 s).
// Untrusted input: the bytes of the connection; a read buffer of kReadChunkOctets.
#pragma once

#include "core/net/server.hpp"
#include "verifier/decision/decider.hpp"
#include "verifier/greylist/service.hpp"

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>

#include <chrono>
#include <cstddef>

namespace postseal::policy {

// kReadChunkOctets - bytes read at once.
inline constexpr std::size_t kReadChunkOctets = 16 * 1024;
// kDefaultIdleSeconds - an idle connection is closed after this long.
inline constexpr std::int64_t kDefaultIdleSeconds = 300;

// serve_connection - one accepted connection (unix or TCP) until it closes; `greylisting`
// may be null (greylisting off).
asio::awaitable<void> serve_connection(net::Socket socket, decision::Decider& decider,
                                       std::chrono::seconds idle, greylist::Service* greylisting = nullptr);

// serve_stdio - requests on file descriptor `in`, answers on `out`, until end of input or a
// protocol error. Blocking reads (stdin may be a pipe, a socket or a plain file); each batch
// of requests is evaluated by running `io` until its answers are ready.
void serve_stdio(asio::io_context& io, int in, int out, decision::Decider& decider,
                 greylist::Service* greylisting = nullptr);

}  // namespace postseal::policy
