// session_state.hpp - the Session class behind run_session (private to core/relay):
// session.cpp handles greeting and envelope commands, session_data.cpp the DATA phase and
// the relay of the message, session_downstream.cpp the downstream connection and its reuse.
// See session.hpp for the contract.
#pragma once

#include "core/net/deadline.hpp"
#include "core/smtp/client.hpp"
#include "core/smtp/command.hpp"
#include "core/smtp/reply.hpp"
#include "core/smtp/stream.hpp"
#include "core/relay/session.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace postseal::relay {

// kTimeoutReplyGrace - how long a timed-out session may take to write its 421 before the
// socket is closed regardless.
inline constexpr std::chrono::seconds kTimeoutReplyGrace{2};

// DownstreamReply - a reply of the downstream server, or why there is none.
using DownstreamReply = std::expected<smtp::Reply, std::string>;

// reply_text - a downstream reply mirrored to our client, without the final CRLF.
std::string reply_text(const smtp::Reply& downstream);

// IdleState - lets a shutdown interrupt a session waiting for its next command (and only
// then: a transaction in progress is finished first).
struct IdleState {
  net::Socket* socket = nullptr;
  bool waiting = false;
};

class Session {
 public:
  Session(net::Socket socket, RelayContext& context);
  asio::awaitable<void> run();

 private:
  // session.cpp
  asio::awaitable<bool> handle(const smtp::Command& command);  // false: end the session
  std::string ehlo_reply(bool lmtp_hello, const std::string& args);
  asio::awaitable<void> mail(const std::string& args);
  asio::awaitable<void> rcpt(const std::string& args);
  void xforward(const std::string& args);
  asio::awaitable<void> rset();
  void end_transaction();

  // session_downstream.cpp - the downstream connection: kept from message to message, taken
  // from the context's pool or opened; parked or closed when the session ends.
  asio::awaitable<bool> ensure_downstream();
  asio::awaitable<bool> connect_downstream();
  bool adopt_parked();
  asio::awaitable<void> release_downstream();
  std::string pool_key() const;
  asio::awaitable<DownstreamReply> begin_transaction(const std::string& mail_line);
  asio::awaitable<DownstreamReply> downstream_mail(const std::string& mail_line);
  asio::awaitable<DownstreamReply> downstream_command(const std::string& line);
  asio::awaitable<DownstreamReply> replay_then(const std::string& line);
  bool may_retry(const DownstreamReply& reply) const;
  asio::awaitable<bool> flush();
  asio::awaitable<void> timed_out(std::string_view after);  // 421, logged
  // queue_reply - a reply of our own to a command; a 4xx/5xx one counts towards
  // hard_error_limit. queue_line - any other line: a downstream reply passed on, the verdict
  // on a message, a 421 that ends the session.
  void queue_reply(std::string line);
  void queue_line(std::string line);
  bool too_many_errors() const { return errors_ >= config_->hard_error_limit; }

  // session_data.cpp
  asio::awaitable<bool> data();
  asio::awaitable<std::expected<smtp::Reply, std::string>> relay_message(const std::string& prefix,
                                                                         const std::string& header_block,
                                                                         class Spool& spool);
  asio::awaitable<void> finish_data(class MessageAssembler& assembler, class Spool& spool);
  Envelope envelope() const;
  void answer_data(const std::string& line, const std::string& log_line);
  std::string queue_id(const std::vector<mail::HeaderField>& headers) const;

  RelayContext& ctx_;
  std::shared_ptr<const RelayConfig> config_;  // the settings when the session started
  smtp::Stream stream_;
  net::Deadline command_deadline_;
  net::Deadline session_deadline_;
  std::shared_ptr<IdleState> idle_;
  std::string peer_;            // client address, for logs and XFORWARD authorisation
  bool xforward_allowed_ = false;
  bool greeted_ = false;
  std::string helo_;             // our client's EHLO/HELO argument
  std::string out_;              // replies not yet written (pipelining)
  std::size_t errors_ = 0;       // 4xx/5xx replies of our own to commands
  std::unique_ptr<smtp::Client> downstream_;
  bool downstream_fresh_ = false;  // opened during this transaction (a failure on it is no stale cache's)
  bool downstream_dirty_ = false;  // XFORWARD or MAIL sent, not yet ended by "." or RSET downstream
  // transaction
  bool in_mail_ = false;
  bool retried_ = false;                     // moved to a new downstream connection once already
  std::string mail_line_;                    // MAIL as relayed, for a replay
  std::vector<std::string> rcpt_lines_;      // RCPT as relayed and accepted, for a replay
  std::vector<std::string> xforward_lines_;  // XFORWARD arguments, relayed as received
  std::string xforward_ident_;               // decoded IDENT (Postfix queue id)
  std::string xforward_addr_, xforward_name_, xforward_helo_;  // decoded ADDR, NAME, HELO
  std::string sender_;                       // MAIL FROM address
  std::vector<std::string> recipients_;      // accepted by downstream
};

}  // namespace postseal::relay
