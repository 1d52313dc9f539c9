// mime.hpp - the MIME structure a report reader needs: a Content-Type value and the body parts
// of a multipart entity.
//
// RFC 2045 5.1 (Content-Type := type "/" subtype *(";" parameter); a parameter value is a
// token or a quoted-string; names and the type are case-insensitive), RFC 2046 5.1.1 (the
// boundary parameter: 1 to 70 bchars, not ending in a space; a delimiter line is "--"
// boundary at the start of a line, the CRLF before it belonging to the delimiter, optionally
// followed by linear white space; the close delimiter adds "--"; preamble and epilogue are
// ignored). Not read: RFC 822 comments inside the value, RFC 2231 continued or encoded
// parameters (a boundary given so is no boundary). Untrusted input: a header value and a body
// from the network (a bounce). Lines end in CRLF. Limits: kMaxContentTypeParameters,
// kMaxBoundaryOctets, kMaxBodyParts (more parts: an error).
#pragma once

#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postseal::mail {

inline constexpr std::size_t kMaxContentTypeParameters = 16;
inline constexpr std::size_t kMaxBoundaryOctets = 70;
inline constexpr std::size_t kMaxBodyParts = 16;

// ContentType - one parsed Content-Type value.
struct ContentType {
  std::string type;     // lower case: "multipart"
  std::string subtype;  // lower case: "report"
  std::vector<std::pair<std::string, std::string>> parameters;  // name lower case, value unquoted
  // parameter - the value of `name` (case-insensitive); nullopt when absent.
  std::optional<std::string> parameter(std::string_view name) const;
  // is - type/subtype equals `type_slash_subtype` (case-insensitive).
  bool is(std::string_view type_slash_subtype) const;
};

// unfolded - `value` without the CRLFs of folding (RFC 5322 2.2.3).
std::string unfolded(std::string_view value);

// parse_content_type - `value` (folding allowed); nullopt when it is not RFC 2045 5.1 syntax.
std::optional<ContentType> parse_content_type(std::string_view value);

// valid_boundary - RFC 2046 5.1.1 boundary syntax.
bool valid_boundary(std::string_view boundary);

// BodyPart - one part: its header block (each line with its CRLF, "" when it has none) and body.
struct BodyPart {
  std::string_view header;
  std::string_view body;
};

enum class MultipartError { bad_boundary, no_delimiter, too_many_parts };
std::string_view to_string(MultipartError e);

// split_multipart - the parts of a multipart `body` delimited by `boundary`. A body that ends
// without the close delimiter ends its last part (a bounce may carry a cut message).
std::expected<std::vector<BodyPart>, MultipartError> split_multipart(std::string_view body,
                                                                     std::string_view boundary);

}  // namespace postseal::mail
