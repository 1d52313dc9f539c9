// request.cpp - policy request reader (see request.hpp).
#include "verifier/policy/request.hpp"

#include <algorithm>
#include <cstring>

namespace postseal::policy {

std::string_view to_string(ProtocolError e) {
  switch (e) {
    case ProtocolError::line_too_long: return "attribute line too long";
    case ProtocolError::too_many_attributes: return "too many attributes";
    case ProtocolError::request_too_large: return "request too large";
    case ProtocolError::no_equals_sign: return "attribute line without '='";
    case ProtocolError::nul_byte: return "NUL byte in request";
    case ProtocolError::no_request_type: return "request without request= attribute";
    case ProtocolError::bad_request_type: return "request type is not smtpd_access_policy";
    case ProtocolError::empty_attribute_name: return "attribute without a name";
  }
  return "protocol error";
}

void RequestReader::feed(std::string_view bytes) {
  compact();
  buffer_.append(bytes);
}

void RequestReader::compact() {
  if (start_ == 0) return;
  if (start_ < buffer_.size() / 2 && buffer_.size() < kMaxRequestOctets) return;
  buffer_.erase(0, start_);
  start_ = 0;
}

// slot - where a known attribute goes; nullptr for names we do not use.
static std::string* slot(PolicyRequest& r, std::string_view name) {
  struct Field {
    std::string_view name;
    std::string PolicyRequest::*member;
  };
  static constexpr Field kFields[] = {
      {"request", &PolicyRequest::request},
      {"protocol_state", &PolicyRequest::protocol_state},
      {"protocol_name", &PolicyRequest::protocol_name},
      {"helo_name", &PolicyRequest::helo_name},
      {"queue_id", &PolicyRequest::queue_id},
      {"sender", &PolicyRequest::sender},
      {"recipient", &PolicyRequest::recipient},
      {"client_address", &PolicyRequest::client_address},
      {"client_name", &PolicyRequest::client_name},
      {"reverse_client_name", &PolicyRequest::reverse_client_name},
      {"sasl_username", &PolicyRequest::sasl_username},
      {"instance", &PolicyRequest::instance},
  };
  for (const auto& f : kFields)
    if (f.name == name) return &(r.*f.member);
  return nullptr;
}

std::expected<void, ProtocolError> RequestReader::take_line(std::string_view line) {
  if (++current_.attributes > kMaxAttributes) return std::unexpected(ProtocolError::too_many_attributes);
  auto eq = line.find('=');
  if (eq == std::string_view::npos) return std::unexpected(ProtocolError::no_equals_sign);
  if (eq == 0) return std::unexpected(ProtocolError::empty_attribute_name);
  auto name = line.substr(0, eq);
  auto value = line.substr(eq + 1);
  std::string* target = slot(current_, name);
  if (!target) {
    ++current_.unknown_attributes;
    return {};
  }
  if (std::find(seen_.begin(), seen_.end(), name) != seen_.end()) {
    current_.duplicates.emplace_back(name);
    return {};
  }
  seen_.emplace_back(name);
  target->assign(value);
  return {};
}

std::expected<PolicyRequest, ProtocolError> RequestReader::finish() {
  PolicyRequest done = std::move(current_);
  current_ = PolicyRequest{};
  seen_.clear();
  request_octets_ = 0;
  if (done.request.empty()) return std::unexpected(ProtocolError::no_request_type);
  if (done.request != "smtpd_access_policy") return std::unexpected(ProtocolError::bad_request_type);
  return done;
}

std::expected<std::optional<PolicyRequest>, ProtocolError> RequestReader::next() {
  for (;;) {
    std::string_view rest(buffer_.data() + start_, buffer_.size() - start_);
    auto lf = rest.find('\n', scanned_);
    if (lf == std::string_view::npos) {
      if (std::memchr(rest.data() + scanned_, '\0', rest.size() - scanned_))
        return std::unexpected(ProtocolError::nul_byte);
      scanned_ = rest.size();
      if (rest.size() >= kMaxLineOctets) return std::unexpected(ProtocolError::line_too_long);
      if (request_octets_ + rest.size() > kMaxRequestOctets)
        return std::unexpected(ProtocolError::request_too_large);
      return std::optional<PolicyRequest>{};
    }
    if (lf + 1 > kMaxLineOctets) return std::unexpected(ProtocolError::line_too_long);
    auto line = rest.substr(0, lf);
    if (line.find('\0') != std::string_view::npos) return std::unexpected(ProtocolError::nul_byte);
    start_ += lf + 1;
    scanned_ = 0;
    request_octets_ += lf + 1;
    if (request_octets_ > kMaxRequestOctets) return std::unexpected(ProtocolError::request_too_large);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      auto done = finish();
      if (!done) return std::unexpected(done.error());
      return std::optional<PolicyRequest>(std::move(*done));
    }
    if (auto ok = take_line(line); !ok) return std::unexpected(ok.error());
  }
}

std::expected<PolicyRequest, ProtocolError> parse_request(std::string_view text) {
  RequestReader reader;
  reader.feed(text);
  auto r = reader.next();
  if (!r) return std::unexpected(r.error());
  if (!*r) return std::unexpected(ProtocolError::no_request_type);
  return std::move(**r);
}

}  // namespace postseal::policy
