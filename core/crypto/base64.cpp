// base64.cpp - RFC 4648 4 base64 (see base64.hpp); encoding through OpenSSL's EVP_EncodeBlock.
#include "core/crypto/base64.hpp"

#include <openssl/evp.h>

#include <cstdint>

namespace postseal::crypto {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// symbol_value - the 6-bit value of an alphabet octet, -1 for anything else.
int symbol_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// compact - the text without whitespace, or nullopt if an octet is not base64 or data
// follows padding.
std::optional<std::string> compact(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pad = 0;
  for (char c : text) {
    if (is_space(c)) continue;
    if (c == '=') {
      ++pad;
    } else if (symbol_value(c) < 0 || pad != 0) {
      return std::nullopt;
    }
    out.push_back(c);
  }
  if (pad > 2 || out.size() % 4 != 0) return std::nullopt;
  return out;
}

}  // namespace

std::string base64_encode(std::string_view octets) {
  std::string out(4 * ((octets.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(octets.data()),
                          static_cast<int>(octets.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text, std::size_t max_text_octets) {
  if (text.size() > max_text_octets) return std::nullopt;
  auto clean = compact(text);
  if (!clean) return std::nullopt;
  std::string_view symbols(*clean);
  while (symbols.ends_with('=')) symbols.remove_suffix(1);
  std::string out;
  out.reserve(symbols.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : symbols) {
    acc = (acc << 6) | static_cast<std::uint32_t>(symbol_value(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;  // non-canonical trailing bits
  return out;
}

}  // namespace postseal::crypto
