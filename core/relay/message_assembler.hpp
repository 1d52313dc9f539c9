// message_assembler.hpp - turn decoded DATA lines into a header block (buffered, bounded)
// and a streamed body (fed to the message step as it arrives, spooled dot-stuffed for relay).
//
// RFC 5322 2.1 (header, empty line, body), RFC 5321 4.5.2 (transparency on output).
// Untrusted input: message lines from DataReader. Limits: kMaxHeaderFields fields and
// kMaxHeaderBytes octets of header (docs/security.md 13; over -> 552 with a clear text), a message
// over max_size octets (docs/security.md 12; -> 552), a line over smtp::kMaxDataLineOctets (-> 552).
#pragma once

#include "core/mail/header.hpp"
#include "core/relay/message_step.hpp"
#include "core/relay/spool.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::relay {

inline constexpr std::size_t kMaxHeaderFields = mail::kMaxHeaderFields;
inline constexpr std::size_t kMaxHeaderBytes = mail::kMaxHeaderBlockBytes;

// Problem - why a message cannot be relayed, decided while reading it.
enum class Problem { none, too_many_header_fields, header_too_large, header_syntax, line_too_long, too_big, spool_failed };
// problem_reply - "552 5.3.4 ..." / "452 4.3.1 ..." for a problem (spool failure is ours: 4xx).
std::string problem_reply(Problem p, std::size_t limit);

class MessageAssembler {
 public:
  // StartStep - called once when the header block is complete (null: no step).
  using StartStep = std::function<std::unique_ptr<MessageStep>(const std::vector<mail::HeaderField>&)>;
  MessageAssembler(Spool& spool, std::size_t max_size, StartStep start)
      : spool_(spool), max_size_(max_size), start_(std::move(start)) {}

  // line - one decoded line (no CRLF, unstuffed); `octets_so_far` is the DATA size so far.
  void line(std::string_view text, std::size_t octets_so_far);
  // finish - end of data: ends the header block if the message had no body.
  void finish();

  Problem problem() const { return problem_; }
  void set_problem(Problem p) {
    if (problem_ == Problem::none) problem_ = p;
  }
  const std::vector<mail::HeaderField>& headers() const { return headers_; }
  const std::string& header_block() const { return header_block_; }  // wire form, stuffed
  // header_block_without - the wire form of every field but those at `drop` (indexes).
  std::string header_block_without(const std::vector<std::size_t>& drop) const;
  MessageStep* step() { return step_.get(); }

 private:
  void header_line(std::string_view text);
  void end_headers();

  Spool& spool_;
  std::size_t max_size_;
  StartStep start_;
  bool in_body_ = false;
  std::size_t field_count_ = 0;
  std::string raw_headers_;   // CRLF lines, unstuffed, for the parser
  std::string header_block_;  // CRLF lines, stuffed, for output
  std::vector<mail::HeaderField> headers_;
  std::unique_ptr<MessageStep> step_;
  Problem problem_ = Problem::none;
  std::string body_line_;
};

}  // namespace postseal::relay
