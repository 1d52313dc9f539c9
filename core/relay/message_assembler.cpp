// message_assembler.cpp - header buffering with caps, body streaming (see the header).
#include "core/relay/message_assembler.hpp"

#include "core/smtp/data_reader.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace postseal::relay {

std::string problem_reply(Problem p, std::size_t limit) {
  switch (p) {
    case Problem::none:
      return "250 2.0.0 Ok";
    case Problem::too_many_header_fields:
      return fmt::format("552 5.3.4 Message header has more than {} fields", kMaxHeaderFields);
    case Problem::header_too_large:
      return fmt::format("552 5.3.4 Message header is larger than {} octets", kMaxHeaderBytes);
    case Problem::header_syntax:
      return "554 5.6.0 Malformed message header (NUL byte, bare CR or over-long field)";
    case Problem::line_too_long:
      return fmt::format("552 5.3.4 Message has a line longer than {} octets", smtp::kMaxDataLineOctets);
    case Problem::too_big:
      return fmt::format("552 5.3.4 Message size exceeds fixed limit of {} octets", limit);
    case Problem::spool_failed:
      return "452 4.3.1 Insufficient system storage for the message spool";
  }
  return "451 4.3.0 Internal error";
}

void MessageAssembler::line(std::string_view text, std::size_t octets_so_far) {
  if (octets_so_far > max_size_) set_problem(Problem::too_big);
  if (problem_ != Problem::none) return;  // keep reading to the end, keep nothing
  if (!in_body_) return header_line(text);
  body_line_.assign(text);
  body_line_ += "\r\n";
  if (step_) step_->body(body_line_);
  if (!text.empty() && text.front() == '.') spool_.append(".");
  spool_.append(body_line_);
}

// header_line - buffer one header line; an empty line (or a non-header line) ends the block.
void MessageAssembler::header_line(std::string_view text) {
  if (text.empty()) return end_headers();
  bool continuation = text.front() == ' ' || text.front() == '\t';
  if (!continuation && text.find(':') == std::string_view::npos) {
    // RFC 5322 has no such line; treat it as the start of the body, as Postfix's cleanup does.
    end_headers();
    if (problem_ == Problem::none) line(text, 0);
    return;
  }
  if (!continuation && ++field_count_ > kMaxHeaderFields) return set_problem(Problem::too_many_header_fields);
  if (raw_headers_.size() + text.size() + 2 > kMaxHeaderBytes) return set_problem(Problem::header_too_large);
  raw_headers_.append(text);
  raw_headers_.append("\r\n");
  smtp::dot_stuff(header_block_, text);
}

void MessageAssembler::end_headers() {
  in_body_ = true;
  auto parsed = mail::parse_header_block(raw_headers_);
  if (!parsed) {
    set_problem(parsed.error() == mail::HeaderError::too_many_fields ? Problem::too_many_header_fields
                : parsed.error() == mail::HeaderError::too_large  ? Problem::header_too_large
                                                                   : Problem::header_syntax);
    return;
  }
  headers_ = std::move(*parsed);
  raw_headers_.clear();
  raw_headers_.shrink_to_fit();
  step_ = start_(headers_);
}

std::string MessageAssembler::header_block_without(const std::vector<std::size_t>& drop) const {
  std::string out;
  for (std::size_t i = 0; i < headers_.size(); ++i) {
    if (std::find(drop.begin(), drop.end(), i) != drop.end()) continue;
    std::string_view raw = headers_[i].raw;
    while (!raw.empty()) {  // one physical line at a time, each dot-stuffed
      auto end = raw.find("\r\n");
      smtp::dot_stuff(out, raw.substr(0, end));
      raw.remove_prefix(end == std::string_view::npos ? raw.size() : end + 2);
    }
  }
  return out;
}

void MessageAssembler::finish() {
  if (!in_body_ && problem_ == Problem::none) end_headers();
  spool_.flush();
  if (spool_.failed()) set_problem(Problem::spool_failed);
}

}  // namespace postseal::relay
