// tcp_table.cpp - tcp_table request parsing, %XX coding and replies (see tcp_table.hpp).
#include "srs/tcp_table.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

namespace postseal::srs {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::expected<std::string, std::string> url_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (in.size() - i < 3) return std::unexpected("truncated %XX escape");
    const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return std::unexpected("bad %XX escape");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::string url_encode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || c == '%') {
      out += fmt::format("%{:02X}", c);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

std::expected<std::string, std::string> parse_tcp_request(std::string_view line) {
  if (line.size() >= kMaxLineOctets) return std::unexpected("line too long");
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (starts_with_icase(line, "put ")) return std::unexpected("put is not supported");
  if (!starts_with_icase(line, "get ")) return std::unexpected("bad request, expected \"get KEY\"");
  auto key = url_decode(line.substr(4));
  if (!key) return std::unexpected(key.error());
  if (has_control(*key)) return std::unexpected("control character in key");
  return key;
}

std::string tcp_reply(int code, std::string_view text) {
  return fmt::format("{} {}\n", code, url_encode(text));
}

}  // namespace postseal::srs
