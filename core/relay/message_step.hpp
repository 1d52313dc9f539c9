// message_step.hpp - what a relay daemon does to each message between DATA and relaying it:
// the signer signs (signer/filter), the before-queue proxy verifies (verifier/proxy).
//
// The session builds a step when the header block is complete, feeds it the body (CRLF,
// unstuffed, in any split), then awaits finish(): the fields to prepend, the fields to drop
// (forged Authentication-Results), or a refusal to answer instead of relaying (reject at end
// of DATA: the session answers it and sends RSET downstream, never "."). Untrusted input: the
// envelope and message, as the SMTP client sent them.
#pragma once

#include "core/mail/header.hpp"

#include <asio/awaitable.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::relay {

// Envelope - the transaction as our client described it (XFORWARD attributes when Postfix
// sent them, else what we saw ourselves).
struct Envelope {
  std::string client_address;  // XFORWARD ADDR, else the peer's address
  std::string client_name;     // XFORWARD NAME ("unknown" when Postfix could not validate one)
  std::string helo;            // XFORWARD HELO, else the client's own EHLO/HELO argument
  std::string sender;          // MAIL FROM address; empty: null sender
  std::vector<std::string> recipients;
  std::string queue_id;        // XFORWARD IDENT, else empty
};

// StepOutcome - what finish() decided.
struct StepOutcome {
  bool relay = true;              // false: answer `reply` and relay nothing
  std::string reply;              // when !relay: "550 5.7.23 ..." or "451 4.7.0 ..."
  std::string prepend;            // header fields to put on top, each ending in CRLF
  std::vector<std::size_t> drop;  // indexes of header fields to leave out
  std::string summary;            // the log text for this message
  // notes - further log lines once the message is relayed, each after the queue id (the
  // signer's OpenDKIM-style "DKIM-Signature field added (s=, d=)" lines)
  std::vector<std::string> notes;
};

class MessageStep {
 public:
  virtual ~MessageStep() = default;
  // body - body octets, CRLF, unstuffed, in any split.
  virtual void body(std::string_view chunk) = 0;
  // finish - after the body; `headers` are the fields as received.
  virtual asio::awaitable<StepOutcome> finish(const std::vector<mail::HeaderField>& headers) = 0;
};

// StepFactory - called when the header block ends; null: relay the message unchanged.
using StepFactory =
    std::function<std::unique_ptr<MessageStep>(const std::vector<mail::HeaderField>&, const Envelope&)>;

// received_queue_id - Postfix's queue id from the first Received field ("... with ESMTP id
// 4F1A2B3C4D; ..."), empty when absent.
std::string received_queue_id(const std::vector<mail::HeaderField>& headers);

}  // namespace postseal::relay
