// session_data.cpp - the DATA phase of a relay session: read the message (RFC 5321 4.1.1.4,
// CRLF.CRLF only), run the message step (sign, verify), relay the message downstream and
// answer only with downstream's verdict; a step's refusal is answered at end of DATA and
// downstream gets RSET, never the message.
#include "core/metrics/events.hpp"
#include "core/metrics/stage.hpp"
#include "core/relay/message_assembler.hpp"
#include "core/relay/session_state.hpp"
#include "core/smtp/data_reader.hpp"
#include "core/util/log.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <string_view>
#include <vector>

namespace postseal::relay {
namespace {

// data_time_earned - the extra DATA-phase time that `octets` received earn at `rate` octets per
// second (rate 0: none).
std::chrono::steady_clock::duration data_time_earned(std::size_t octets, std::size_t rate) {
  if (rate == 0) return {};
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(static_cast<double>(octets) / static_cast<double>(rate)));
}

}  // namespace

std::string Session::queue_id(const std::vector<mail::HeaderField>& headers) const {
  if (!xforward_ident_.empty()) return xforward_ident_;
  auto id = received_queue_id(headers);
  return id.empty() ? "NOQUEUE" : id;
}

// answer_data - the end-of-DATA reply (once per recipient in LMTP) and the message's log line.
void Session::answer_data(const std::string& line, const std::string& log_line) {
  std::size_t n = config_->lmtp ? recipients_.size() : 1;
  for (std::size_t i = 0; i < n; ++i) queue_line(line);
  log::info("{}", log_line);
}

Envelope Session::envelope() const {
  Envelope e;
  e.client_address = xforward_addr_.empty() ? peer_ : xforward_addr_;
  e.client_name = xforward_name_;
  e.helo = xforward_helo_.empty() ? helo_ : xforward_helo_;
  e.sender = sender_;
  e.recipients = recipients_;
  e.queue_id = xforward_ident_;
  return e;
}

asio::awaitable<std::expected<smtp::Reply, std::string>> Session::relay_message(const std::string& prefix,
                                                                                const std::string& header_block,
                                                                                Spool& spool) {
  metrics::StageTimer timer(metrics::Stage::relay);
  auto go = co_await downstream_command("DATA");  // a dead kept connection: once more on a new one
  if (!go) co_return std::unexpected(go.error());
  if (go->code != 354) co_return *go;  // the transaction stays open downstream: RSET before the next
  // the head goes with the first chunk and "." with the last: one write for a message that
  // fits one chunk (a spool file is read back kSpoolReadChunk octets at a time)
  std::string scratch;
  const std::string head = prefix + header_block + "\r\n";
  const std::size_t chunks = spool.chunks();
  for (std::size_t i = 0; i < std::max<std::size_t>(chunks, 1); ++i) {
    std::vector<std::string_view> parts;
    if (i == 0) parts.push_back(head);
    if (i < chunks) parts.push_back(spool.chunk(i, scratch));
    if (spool.failed()) {
      downstream_->close();  // never finish a message we cannot read back
      co_return std::unexpected(spool.error());
    }
    if (i + 1 >= chunks) parts.push_back(".\r\n");
    auto sent = co_await downstream_->send(parts);
    if (!sent) co_return std::unexpected(sent.error());
  }
  auto done = co_await downstream_->read_reply();
  if (done) downstream_dirty_ = false;  // "." ends the transaction, whatever the reply
  co_return done;
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

  Spool spool(config_->memory_spool, config_->spool_directory);
  MessageAssembler assembler(spool, config_->max_message_size,
                             [this, env = envelope()](const auto& headers) { return ctx_.steps()(headers, env); });
  smtp::DataReader* reader_ptr = nullptr;
  smtp::DataReader reader([&](std::string_view line) { assembler.line(line, reader_ptr->octets()); });
  reader_ptr = &reader;
  // the DATA phase ends by data_timeout plus what the octets received earn (docs/security.md 11)
  const auto& config = *config_;
  auto data_deadline = std::chrono::steady_clock::now() + config.data_timeout;
  while (!reader.done()) {
    auto left = std::max(data_deadline - std::chrono::steady_clock::now(), std::chrono::steady_clock::duration{});
    command_deadline_.reset(std::min<std::chrono::steady_clock::duration>(config.command_timeout, left));
    auto chunk = co_await stream_.read_some();
    if (!chunk) {
      if (command_deadline_.expired() || session_deadline_.expired()) co_await timed_out("DATA (nothing relayed)");
      else log::info("lost connection after DATA from {}: nothing relayed", peer_);
      co_return false;
    }
    data_deadline += data_time_earned(chunk->size(), config.min_data_rate);
    stream_.consume(reader.feed(*chunk));
  }
  if (reader.line_too_long()) assembler.set_problem(Problem::line_too_long);
  assembler.finish();
  // the downstream steps (DATA, content, reply) each have relay_timeout: the client waits
  command_deadline_.reset(config_->command_timeout + 3 * config_->relay_timeout);
  co_await finish_data(assembler, spool);
  co_return true;
}

// finish_data - run the step over a complete message and relay it, or refuse it; then end
// the transaction.
asio::awaitable<void> Session::finish_data(MessageAssembler& assembler, Spool& spool) {
  std::string id = queue_id(assembler.headers());
  if (assembler.problem() != Problem::none) {
    std::string reply = problem_reply(assembler.problem(), config_->max_message_size);
    metrics::count_relayed(ctx_.server(), "refused");
    answer_data(reply, fmt::format("{}: rejected: {}", id, reply));
    co_await rset();
    co_return;
  }
  StepOutcome outcome;
  outcome.summary = "passed unchanged";
  if (MessageStep* step = assembler.step()) outcome = co_await step->finish(assembler.headers());
  if (!outcome.relay) {
    metrics::count_relayed(ctx_.server(), "refused");
    answer_data(outcome.reply, id + ": " + outcome.summary);
    co_await rset();
    co_return;
  }
  std::string block = outcome.drop.empty() ? assembler.header_block() : assembler.header_block_without(outcome.drop);
  auto reply = co_await relay_message(outcome.prepend, block, spool);
  const auto& name = ctx_.downstream();
  metrics::count_relayed(ctx_.server(), !reply                ? "deferred"
                                         : reply->positive()  ? "relayed"
                                         : reply->permanent() ? "rejected"
                                                              : "deferred");
  if (!reply) {
    downstream_.reset();
    answer_data(fmt::format("451 4.4.2 Relay to the {} failed, try again later", name),
                fmt::format("{}: deferred: {} {}: {}", id, name, config_->relay.str(), reply.error()));
  } else if (reply->positive()) {
    for (const auto& note : outcome.notes) log::info("{}: {}", id, note);
    answer_data(reply_text(*reply), fmt::format("{}: {}; relayed: {} {}", id, outcome.summary, reply->code, reply->text()));
  } else {
    answer_data(reply_text(*reply), fmt::format("{}: {}: {} answered {} {}", id,
                                                reply->permanent() ? "rejected" : "deferred", name, reply->code, reply->text()));
    if (reply->code == 421) downstream_.reset();
  }
  end_transaction();
}

}  // namespace postseal::relay
