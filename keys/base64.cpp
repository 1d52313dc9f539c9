// base64.cpp - RFC 4648 4 base64 through OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock.
//
// Untrusted input: key files and DNS text. Whitespace is dropped before decoding; anything
// else outside the alphabet, a length that is not a multiple of 4, or misplaced padding fails.
#include "keys/base64.hpp"

#include <openssl/evp.h>

namespace postseal::keys {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool is_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '+' || c == '/';
}

// compact - the text without whitespace, or nullopt if a character is not base64.
std::optional<std::string> compact(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pad = 0;
  for (char c : text) {
    if (is_space(c)) continue;
    if (c == '=') {
      ++pad;
    } else if (!is_alphabet(c) || pad != 0) {
      return std::nullopt;  // a non-alphabet octet, or data after padding
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

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() > kMaxBase64Input) return std::nullopt;
  auto clean = compact(text);
  if (!clean) return std::nullopt;
  if (clean->empty()) return std::string();
  std::string out(clean->size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(clean->data()),
                          static_cast<int>(clean->size()));
  if (n < 0) return std::nullopt;
  std::size_t pad = 0;
  for (auto it = clean->rbegin(); it != clean->rend() && *it == '='; ++it) ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);  // EVP_DecodeBlock counts padding as zeros
  return out;
}

}  // namespace postseal::keys
