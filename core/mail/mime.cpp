// mime.cpp - Content-Type values and multipart bodies (see mime.hpp).
#include "core/mail/mime.hpp"

#include "core/util/text.hpp"

#include <algorithm>

namespace postseal::mail {
namespace {

// is_token_char - RFC 2045 5.1 token: US-ASCII, no SPACE, CTLs or tspecials.
bool is_token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u <= 32 || u >= 127) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

// Cursor - a position in a Content-Type value being read.
struct Cursor {
  std::string_view text;
  std::size_t at = 0;

  bool done() const { return at >= text.size(); }
  void skip_space() {
    while (!done() && (text[at] == ' ' || text[at] == '\t')) ++at;
  }
  bool take(char c) {
    if (done() || text[at] != c) return false;
    ++at;
    return true;
  }
  std::string_view token() {
    const std::size_t start = at;
    while (!done() && is_token_char(text[at])) ++at;
    return text.substr(start, at - start);
  }
  // quoted - a quoted-string's content (backslash escapes resolved); nullopt when unterminated.
  std::optional<std::string> quoted() {
    std::string out;
    for (++at; !done(); ++at) {
      if (text[at] == '"') {
        ++at;
        return out;
      }
      if (text[at] == '\\' && at + 1 < text.size()) ++at;
      out += text[at];
    }
    return std::nullopt;
  }
};

// parameter - one "; name=value"; false when it is not that syntax.
bool parameter(Cursor& in, ContentType& out) {
  in.skip_space();
  if (in.done()) return true;  // a trailing ";"
  const std::string_view name = in.token();
  in.skip_space();
  if (name.empty() || !in.take('=')) return false;
  in.skip_space();
  std::string value;
  if (!in.done() && in.text[in.at] == '"') {
    auto q = in.quoted();
    if (!q) return false;
    value = std::move(*q);
  } else {
    value = std::string(in.token());
    if (value.empty()) return false;
  }
  if (out.parameters.size() >= kMaxContentTypeParameters) return false;
  out.parameters.emplace_back(to_lower(name), std::move(value));
  return true;
}

// Delimiter - what one line of a multipart body is.
enum class Delimiter { none, part, close };

// delimiter - whether `line` (without CRLF) is "--boundary" or "--boundary--", padding allowed.
Delimiter delimiter(std::string_view line, std::string_view boundary) {
  if (line.size() < boundary.size() + 2 || line.substr(0, 2) != "--" ||
      line.substr(2, boundary.size()) != boundary)
    return Delimiter::none;
  std::string_view rest = line.substr(boundary.size() + 2);
  Delimiter kind = Delimiter::part;
  if (rest.substr(0, 2) == "--") {
    kind = Delimiter::close;
    rest.remove_prefix(2);
  }
  return trim(rest).empty() ? kind : Delimiter::none;
}

// body_part - one part's text split into its header block and body.
BodyPart body_part(std::string_view text) {
  if (text.substr(0, 2) == "\r\n") return {{}, text.substr(2)};
  const std::size_t end = text.find("\r\n\r\n");
  if (end == std::string_view::npos) return {text, {}};
  return {text.substr(0, end + 2), text.substr(end + 4)};
}

}  // namespace

// unfolded - `value` without the CRLFs of folding (RFC 5322 2.2.3).
std::string unfolded(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value)
    if (c != '\r' && c != '\n') out += c;
  return out;
}

std::optional<std::string> ContentType::parameter(std::string_view name) const {
  for (const auto& [n, v] : parameters)
    if (iequals(n, name)) return v;
  return std::nullopt;
}

bool ContentType::is(std::string_view type_slash_subtype) const {
  const std::size_t slash = type_slash_subtype.find('/');
  return slash != std::string_view::npos && iequals(type, type_slash_subtype.substr(0, slash)) &&
         iequals(subtype, type_slash_subtype.substr(slash + 1));
}

std::optional<ContentType> parse_content_type(std::string_view value) {
  const std::string text = unfolded(value);
  Cursor in{text};
  ContentType out;
  in.skip_space();
  out.type = to_lower(in.token());
  if (out.type.empty() || !in.take('/')) return std::nullopt;
  out.subtype = to_lower(in.token());
  if (out.subtype.empty()) return std::nullopt;
  for (;;) {
    in.skip_space();
    if (in.done()) return out;
    if (!in.take(';') || !parameter(in, out)) return std::nullopt;
  }
}

bool valid_boundary(std::string_view boundary) {
  if (boundary.empty() || boundary.size() > kMaxBoundaryOctets || boundary.back() == ' ')
    return false;
  for (char c : boundary) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && std::string_view("'()+_,-./:=? ").find(c) == std::string_view::npos) return false;
  }
  return true;
}

std::string_view to_string(MultipartError e) {
  switch (e) {
    case MultipartError::bad_boundary: return "bad boundary";
    case MultipartError::no_delimiter: return "no boundary delimiter line";
    case MultipartError::too_many_parts: return "too many body parts";
  }
  return "bad multipart body";
}

std::expected<std::vector<BodyPart>, MultipartError> split_multipart(std::string_view body,
                                                                     std::string_view boundary) {
  if (!valid_boundary(boundary)) return std::unexpected(MultipartError::bad_boundary);
  std::vector<BodyPart> parts;
  std::optional<std::size_t> part_start;
  for (std::size_t line = 0; line < body.size();) {
    std::size_t eol = body.find("\r\n", line);
    const std::size_t next = eol == std::string_view::npos ? body.size() : eol + 2;
    if (eol == std::string_view::npos) eol = body.size();
    const Delimiter kind = delimiter(body.substr(line, eol - line), boundary);
    if (kind != Delimiter::none) {
      if (part_start) {
        if (parts.size() >= kMaxBodyParts) return std::unexpected(MultipartError::too_many_parts);
        const std::size_t end = line >= *part_start + 2 ? line - 2 : *part_start;
        parts.push_back(body_part(body.substr(*part_start, end - *part_start)));
      }
      if (kind == Delimiter::close) return parts;
      part_start = next;
    }
    line = next;
  }
  if (!part_start) return std::unexpected(MultipartError::no_delimiter);
  if (parts.size() >= kMaxBodyParts) return std::unexpected(MultipartError::too_many_parts);
  parts.push_back(body_part(body.substr(std::min(*part_start, body.size()))));
  return parts;
}

}  // namespace postseal::mail
