// header.cpp - RFC 5322 header block splitting (see header.hpp).
#include "core/mail/header.hpp"

#include "core/util/text.hpp"

namespace postseal::mail {

namespace {

char lower_ascii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

}  // namespace

std::string_view HeaderField::name() const {
  std::string_view r(raw);
  auto colon = r.find(':');
  return trim(r.substr(0, colon));
}

std::string_view HeaderField::value() const {
  std::string_view r(raw);
  auto colon = r.find(':');
  return colon == std::string_view::npos ? std::string_view{} : r.substr(colon + 1);
}

bool HeaderField::is(std::string_view field_name) const {
  // fast refusal: a name not starting with WSP must share its first letter (case aside)
  if (!raw.empty() && !field_name.empty() && raw[0] != ' ' && raw[0] != '\t' &&
      lower_ascii(raw[0]) != lower_ascii(field_name[0])) {
    return false;
  }
  return iequals(name(), field_name);
}

std::string_view to_string(HeaderError e) {
  switch (e) {
    case HeaderError::too_many_fields: return "too many header fields";
    case HeaderError::too_large: return "header block too large";
    case HeaderError::line_too_long: return "header line too long";
    case HeaderError::no_colon: return "header line without a colon";
    case HeaderError::leading_continuation: return "header block starts with a continuation line";
    case HeaderError::nul_byte: return "NUL byte in header";
    case HeaderError::bare_cr: return "bare CR in header";
  }
  return "bad header";
}

bool has_bare_cr(std::string_view block) {
  for (std::size_t cr = block.find('\r'); cr != std::string_view::npos; cr = block.find('\r', cr + 1))
    if (cr + 1 == block.size() || block[cr + 1] != '\n') return true;
  return false;
}

bool valid_field_name(std::string_view name) {
  std::string_view n = trim(name);
  if (n.empty()) return false;
  for (char c : n) {
    auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126 || c == ':') return false;
  }
  return true;
}

std::expected<std::vector<HeaderField>, HeaderError> parse_header_block(std::string_view block) {
  if (block.size() > kMaxHeaderBlockBytes) return std::unexpected(HeaderError::too_large);
  if (block.find('\0') != std::string_view::npos) return std::unexpected(HeaderError::nul_byte);
  if (has_bare_cr(block)) return std::unexpected(HeaderError::bare_cr);
  std::vector<HeaderField> fields;
  std::size_t pos = 0;
  while (pos < block.size()) {
    std::size_t end = block.find("\r\n", pos);
    std::size_t next = end == std::string_view::npos ? block.size() : end + 2;
    std::string_view line = block.substr(pos, (end == std::string_view::npos ? block.size() : end) - pos);
    if (line.size() > kMaxLineOctets) return std::unexpected(HeaderError::line_too_long);
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      if (fields.empty()) return std::unexpected(HeaderError::leading_continuation);
      fields.back().raw += "\r\n";
      fields.back().raw += line;
    } else {
      auto colon = line.find(':');
      if (colon == std::string_view::npos || !valid_field_name(line.substr(0, colon)))
        return std::unexpected(HeaderError::no_colon);
      if (fields.size() == kMaxHeaderFields) return std::unexpected(HeaderError::too_many_fields);
      fields.push_back(HeaderField{std::string(line)});
    }
    pos = next;
  }
  return fields;
}

std::size_t count_fields(const std::vector<HeaderField>& fields, std::string_view name) {
  std::size_t n = 0;
  for (const auto& f : fields) n += f.is(name) ? 1 : 0;
  return n;
}

}  // namespace postseal::mail
