// base64.cpp - RFC 4648 4 base64 (see base64.hpp): encoding through OpenSSL's EVP_EncodeBlock,
// decoding in one pass with a 256-entry table of octet classes (symbol value, whitespace, "=",
// bad).
#include "core/crypto/base64.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdint>

namespace postseal::crypto {

namespace {

// Octet classes for the decoder: 0-63 is a symbol's value.
constexpr std::uint8_t kSpace = 64, kPad = 65, kBad = 66;

// symbol_value - the 6-bit value of an alphabet octet, -1 for anything else.
constexpr int symbol_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// octet_class - a symbol's value, kSpace (SP, HTAB, CR, LF), kPad ('=') or kBad.
constexpr std::uint8_t octet_class(char c) {
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return kSpace;
  if (c == '=') return kPad;
  int v = symbol_value(c);
  return v < 0 ? kBad : static_cast<std::uint8_t>(v);
}

// kClasses - octet_class() of every octet, so decoding is one table look-up per octet.
constexpr std::array<std::uint8_t, 256> kClasses = [] {
  std::array<std::uint8_t, 256> t{};
  for (int i = 0; i < 256; ++i) t[static_cast<std::size_t>(i)] = octet_class(static_cast<char>(i));
  return t;
}();

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
  std::string out(text.size() / 4 * 3 + 3, '\0');  // 6 bits per octet at most: fits
  std::size_t written = 0, symbols = 0, pad = 0;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    std::uint8_t v = kClasses[static_cast<unsigned char>(c)];
    if (v == kSpace) continue;
    if (v == kBad || (v != kPad && pad != 0)) return std::nullopt;  // data after padding
    ++symbols;
    if (v == kPad) {
      ++pad;
      continue;
    }
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[written++] = static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (pad > 2 || symbols % 4 != 0) return std::nullopt;
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;  // non-canonical trailing bits
  out.resize(written);
  return out;
}

}  // namespace postseal::crypto
