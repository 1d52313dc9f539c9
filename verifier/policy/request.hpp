// request.hpp - the Postfix policy delegation protocol: reading requests.
//
// Postfix SMTPD_POLICY_README: a request is `name=value` lines ending in LF, then an empty
// line; many requests follow one another on one connection. Untrusted input: every byte
// (it comes from Postfix, but carries the SMTP client's HELO, sender and recipient, and a
// socket anyone local may connect to). Limits, each a protocol error that closes the
// connection (Postfix then applies its default action): kMaxLineOctets per line,
// kMaxAttributes per request, kMaxRequestOctets per request; a line without '=', a NUL byte,
// or a request without `request=smtpd_access_policy` are errors too. Duplicate attributes
// keep the first value and are reported; unknown attributes are ignored (Postfix adds new
// ones over time).
#pragma once

#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::policy {

// kMaxLineOctets - one name=value line, LF included.
inline constexpr std::size_t kMaxLineOctets = 8192;
// kMaxAttributes - lines in one request.
inline constexpr std::size_t kMaxAttributes = 128;
// kMaxRequestOctets - all lines of one request.
inline constexpr std::size_t kMaxRequestOctets = 64 * 1024;

// PolicyRequest - the attributes the decision needs, named as Postfix names them.
struct PolicyRequest {
  std::string request;
  std::string protocol_state;
  std::string protocol_name;
  std::string helo_name;
  std::string queue_id;
  std::string sender;
  std::string recipient;
  std::string client_address;
  std::string client_name;
  std::string reverse_client_name;
  std::string sasl_username;  // empty: the client did not authenticate
  std::string instance;
  std::size_t attributes = 0;           // lines read
  std::size_t unknown_attributes = 0;   // names we do not use
  std::vector<std::string> duplicates;  // names seen twice (first value kept)
};

enum class ProtocolError {
  line_too_long,
  too_many_attributes,
  request_too_large,
  no_equals_sign,
  nul_byte,
  no_request_type,
  bad_request_type,
  empty_attribute_name,
};
std::string_view to_string(ProtocolError e);

// RequestReader - turns a byte stream into requests, one at a time.
class RequestReader {
 public:
  // feed - append bytes read from the peer.
  void feed(std::string_view bytes);
  // next - the next complete request, nullopt if more bytes are needed, or the error that
  // ends the connection.
  std::expected<std::optional<PolicyRequest>, ProtocolError> next();
  // buffered - bytes held that are not yet part of a returned request.
  std::size_t buffered() const { return buffer_.size() - start_; }
  // in_request - part of a request has arrived, the rest has not.
  bool in_request() const { return request_octets_ != 0 || buffered() != 0; }

 private:
  std::expected<void, ProtocolError> take_line(std::string_view line);
  std::expected<PolicyRequest, ProtocolError> finish();
  void compact();

  std::string buffer_;
  std::size_t start_ = 0;        // first unread byte
  std::size_t scanned_ = 0;      // bytes after start_ known to hold no LF
  std::size_t request_octets_ = 0;
  PolicyRequest current_;
  std::vector<std::string> seen_;
};

// parse_request - a whole request text (tests, fuzzing): the first request, or its error.
std::expected<PolicyRequest, ProtocolError> parse_request(std::string_view text);

}  // namespace postseal::policy
