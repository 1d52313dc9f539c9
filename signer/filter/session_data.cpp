// session_data.cpp - the DATA phase of a filter session: read the message (RFC 5321 4.1.1.4,
// CRLF.CRLF only), sign it, relay it downstream and answer only with downstream's verdict.
#include "core/smtp/data_reader.hpp"
#include "core/util/log.hpp"
#include "signer/filter/from_domain.hpp"
#include "signer/filter/message_assembler.hpp"
#include "signer/filter/session_state.hpp"

#include <fmt/format.h>

namespace postseal::signer {

std::string Session::queue_id(const std::vector<mail::HeaderField>& headers) const {
  if (!xforward_ident_.empty()) return xforward_ident_;
  auto id = received_queue_id(headers);
  return id.empty() ? "NOQUEUE" : id;
}

// answer_data - the end-of-DATA reply (once per recipient in LMTP) and the message's log line.
void Session::answer_data(const std::string& line, const std::string& log_line) {
  std::size_t n = ctx_.config().lmtp ? recipients_.size() : 1;
  for (std::size_t i = 0; i < n; ++i) queue_reply(line);
  log::info("{}", log_line);
}

asio::awaitable<std::expected<smtp::Reply, std::string>> Session::relay_message(const std::string& prefix,
                                                                                const std::string& header_block,
                                                                                Spool& spool) {
  auto go = co_await downstream_->command("DATA");
  if (!go) co_return std::unexpected(go.error());
  if (go->code != 354) co_return *go;
  std::string scratch;
  std::string head = prefix + header_block + "\r\n";
  {
    auto sent = co_await downstream_->send(head);
    if (!sent) co_return std::unexpected(sent.error());
  }
  for (std::size_t i = 0; i < spool.chunks(); ++i) {
    auto chunk = spool.chunk(i, scratch);
    if (spool.failed()) {
      downstream_->close();  // never finish a message we cannot read back
      co_return std::unexpected(spool.error());
    }
    {
      auto sent = co_await downstream_->send(chunk);
      if (!sent) co_return std::unexpected(sent.error());
    }
  }
  {
    auto sent = co_await downstream_->send(".\r\n");
    if (!sent) co_return std::unexpected(sent.error());
  }
  co_return co_await downstream_->read_reply();
}

asio::awaitable<bool> Session::data() {
  if (!in_mail_) {
    queue_reply("503 5.5.1 Error: need MAIL command");
    co_return true;
  }
  if (recipients_.empty()) {
    queue_reply("554 5.5.1 Error: no valid recipients");
    co_return true;
  }
  if (stream_.buffered()) {  // RFC 2920 3.1: DATA ends a command group
    queue_reply("554 5.5.0 Error: improper command pipelining after DATA");
    co_await flush();
    co_return false;
  }
  queue_reply("354 End data with <CR><LF>.<CR><LF>");
  bool ok1 = co_await flush();
  if (!ok1) co_return false;

  Spool spool(ctx_.config().memory_spool, ctx_.config().spool_directory);
  MessageAssembler assembler(spool, ctx_.config().max_message_size, [this](const auto& headers) {
    return std::make_unique<SignStep>(ctx_.table(), headers, ctx_.clock());
  });
  smtp::DataReader* reader_ptr = nullptr;
  smtp::DataReader reader([&](std::string_view line) { assembler.line(line, reader_ptr->octets()); });
  reader_ptr = &reader;
  while (!reader.done()) {
    command_deadline_.reset(ctx_.config().command_timeout);
    auto chunk = co_await stream_.read_some();
    if (!chunk) {
      log::info("lost connection after DATA from {}: nothing relayed", peer_);
      co_return false;
    }
    stream_.consume(reader.feed(*chunk));
  }
  if (reader.line_too_long()) assembler.set_problem(Problem::line_too_long);
  assembler.finish();
  co_await finish_data(assembler, spool);
  co_return true;
}

// finish_data - sign and relay a complete message, or refuse it; then end the transaction.
asio::awaitable<void> Session::finish_data(MessageAssembler& assembler, Spool& spool) {
  std::string id = queue_id(assembler.headers());
  if (assembler.problem() != Problem::none) {
    std::string reply = problem_reply(assembler.problem(), ctx_.config().max_message_size);
    answer_data(reply, fmt::format("{}: rejected: {}", id, reply));
    co_await rset();
    co_return;
  }
  SignStep* signing = assembler.signing();
  std::string prefix = signing ? signing->finish(assembler.headers()) : std::string{};
  std::string summary = signing ? signing->summary() : std::string("passed unsigned: no header block");
  if (signing && signing->decision() == SignDecision::tempfail) {
    answer_data("451 4.7.0 Message must be signed but cannot be, try again later", id + ": " + summary);
    co_await rset();
    co_return;
  }
  auto reply = co_await relay_message(prefix, assembler.header_block(), spool);
  if (!reply) {
    downstream_.reset();
    answer_data("451 4.4.2 Reinjection failed, try again later",
                fmt::format("{}: deferred: reinjection server {}: {}", id, ctx_.config().relay.str(), reply.error()));
  } else if (reply->positive()) {
    answer_data(reply_text(*reply), fmt::format("{}: {}; relayed: {} {}", id, summary, reply->code, reply->text()));
  } else {
    answer_data(reply_text(*reply), fmt::format("{}: {}: reinjection server answered {} {}", id,
                                                reply->permanent() ? "rejected" : "deferred", reply->code, reply->text()));
    if (reply->code == 421) downstream_.reset();
  }
  end_transaction();
}

}  // namespace postseal::signer
