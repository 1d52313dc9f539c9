// session_downstream.cpp - the downstream connection of a relay session (RFC 5321 4.1.1.5
// RSET, 3.8 and 4.2 421; XFORWARD_README "SMTP connection caching"; docs/security.md 55).
//
// One connection serves every transaction of the session: after a completed message the next
// one starts with XFORWARD and MAIL at once; a transaction left open downstream (a MAIL refused
// after XFORWARD, a DATA refused) is closed with RSET first. When the session ends a clean
// connection is parked in the context's DownstreamPool for the next session
// (SECTION.relay_idle_seconds, SECTION.relay_idle_max), else it gets QUIT.
//
// A kept or parked connection can be dead: the server closed it, or said 421, while it was
// idle. It is checked with poll(2) before use (smtp::Client::quiet); if it still fails (no
// reply, or 421) before the message's DATA was accepted (354), the transaction moves once to
// a new connection: XFORWARD, MAIL and the recipients accepted so far are sent again, then the
// command that failed. A new connection that fails, or refuses what the old one accepted,
// gives the usual 4xx. Untrusted input: the downstream server's replies.
#include "core/relay/session_state.hpp"

#include "core/util/log.hpp"

#include <fmt/format.h>

namespace postseal::relay {

std::string Session::pool_key() const { return config_->relay.str() + " " + config_->hostname; }

// connect_downstream - a new connection in place of the current one (closed if any).
asio::awaitable<bool> Session::connect_downstream() {
  auto executor = co_await asio::this_coro::executor;
  auto client = co_await smtp::Client::connect(executor, config_->relay, config_->hostname,
                                               config_->relay_timeout);
  if (!client) {
    log::warning("{} {} unavailable: {}", ctx_.downstream(), config_->relay.str(), client.error());
    co_return false;
  }
  if (downstream_) downstream_->close();
  downstream_ = std::move(*client);
  downstream_fresh_ = true;
  downstream_dirty_ = false;
  co_return true;
}

// adopt_parked - a live connection another session parked, if there is one; dead ones found
// on the way are closed.
bool Session::adopt_parked() {
  auto executor = stream_.socket().get_executor();
  while (auto parked = ctx_.downstream_pool().take(pool_key())) {
    auto client = smtp::Client::adopt(executor, std::move(*parked), config_->relay_timeout);
    if (!client || !(*client)->quiet()) continue;  // closed by the server while parked
    downstream_ = std::move(*client);
    downstream_fresh_ = false;
    downstream_dirty_ = false;
    return true;
  }
  return false;
}

// ensure_downstream - a connection for the next transaction: the session's own if it is still
// quiet, else a parked one, else a new one.
asio::awaitable<bool> Session::ensure_downstream() {
  if (downstream_ && downstream_->quiet()) {
    downstream_fresh_ = false;
    co_return true;
  }
  downstream_.reset();
  if (adopt_parked()) co_return true;
  co_return co_await connect_downstream();
}

// release_downstream - at the end of the session: park a clean connection for the next
// session, QUIT any other.
asio::awaitable<void> Session::release_downstream() {
  if (!downstream_ || !downstream_->usable()) co_return;
  const bool clean = !in_mail_ && !downstream_dirty_;
  if (clean && config_->relay_idle.count() > 0 && config_->relay_idle_max > 0 && !ctx_.draining()) {
    auto detached = downstream_->detach();
    downstream_.reset();
    if (detached)
      ctx_.downstream_pool().park(stream_.socket().get_executor(), pool_key(), std::move(*detached),
                                  config_->relay_idle, config_->relay_idle_max);
    co_return;
  }
  co_await downstream_->command("QUIT");
}

// may_retry - the connection is stale (gone without a reply, or the server closing it with
// 421), it was not opened for this transaction, and the transaction has not moved yet.
bool Session::may_retry(const DownstreamReply& reply) const {
  const bool stale = !downstream_->usable() || (reply && reply->code == 421);
  return stale && !downstream_fresh_ && !retried_;
}

// begin_transaction - RSET if a transaction is open downstream, the client's XFORWARD lines
// (they apply to the next MAIL only: XFORWARD_README), then MAIL: one group, in one write when
// the downstream offers PIPELINING (smtp::Client::group; Postfix's own client sends XFORWARD
// and MAIL so). A refused RSET or XFORWARD is an error, a 421 or a lost connection the reply;
// else MAIL's reply is the answer.
asio::awaitable<DownstreamReply> Session::begin_transaction(const std::string& mail_line) {
  std::vector<std::string> lines;
  if (downstream_dirty_) lines.emplace_back("RSET");
  if (downstream_->supports("XFORWARD"))
    for (const auto& x : xforward_lines_) lines.push_back("XFORWARD " + x);
  lines.push_back(mail_line);
  downstream_dirty_ = true;
  auto replies = co_await downstream_->group(lines);
  for (std::size_t i = 0; i < replies.size(); ++i) {
    const auto& r = replies[i];
    if (i + 1 == lines.size() || !r || r->code == 421) co_return r;
    if (r->code != 250) {
      const std::string_view verb = lines[i] == "RSET" ? "RSET" : "XFORWARD";
      co_return std::unexpected(fmt::format("downstream refused {}: {}", verb, r->text()));
    }
  }
  co_return std::unexpected("downstream gave no reply to MAIL");  // not reached: group() ends at a failure
}

// downstream_mail - begin the transaction; on a kept or parked connection that turns out
// dead, once more on a new one.
asio::awaitable<DownstreamReply> Session::downstream_mail(const std::string& mail_line) {
  mail_line_ = mail_line;
  auto reply = co_await begin_transaction(mail_line);
  if (!may_retry(reply)) co_return reply;
  co_return co_await replay_then("");
}

// downstream_command - RCPT or DATA in the transaction, moved to a new connection once if the
// old one turns out dead.
asio::awaitable<DownstreamReply> Session::downstream_command(const std::string& line) {
  auto reply = co_await downstream_->command(line);
  if (!may_retry(reply)) co_return reply;
  co_return co_await replay_then(line);
}

// replay_then - a new connection, the transaction so far again (XFORWARD, MAIL, accepted
// RCPTs), then `line` (empty: the MAIL reply is the answer). The old connection said nothing
// the client has not seen; anything the new one refuses that the old one accepted makes the
// transaction fail with a 4xx.
asio::awaitable<DownstreamReply> Session::replay_then(const std::string& line) {
  retried_ = true;
  log::info("{} {}: kept connection lost, continuing on a new one", ctx_.downstream(), config_->relay.str());
  if (downstream_) downstream_->close();
  if (!co_await connect_downstream()) co_return std::unexpected(ctx_.downstream() + " unavailable");
  auto mail = co_await begin_transaction(mail_line_);
  if (line.empty() || !mail) co_return mail;
  auto refused = [this](std::string_view what, const smtp::Reply& r) {
    downstream_->close();  // the client was told otherwise: nothing more goes through here
    return DownstreamReply(std::unexpected(fmt::format("{} refused on a new connection: {} {}", what, r.code, r.text())));
  };
  if (!mail->positive()) co_return refused("MAIL", *mail);
  for (const auto& rcpt : rcpt_lines_) {
    auto r = co_await downstream_->command(rcpt);
    if (!r) co_return r;
    if (!r->positive()) co_return refused("RCPT", *r);
  }
  co_return co_await downstream_->command(line);
}

}  // namespace postseal::relay
