// signature_writer.cpp - render, fold and sign a DKIM-Signature (RFC 6376 3.5, 3.7; RFC 8463).
//
// Untrusted input: the header fields being signed; they are canonicalized into the signed
// data only. Output lines stay within kFoldColumns; the b= value is folded on lines of its
// own so deleting it (3.7) leaves exactly the text that was hashed.
#include "signer/dkim/signature_writer.hpp"

#include "core/util/text.hpp"
#include "keys/base64.hpp"
#include "signer/dkim/canonicalize.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <memory>

namespace postseal::dkim {

namespace {

constexpr std::string_view kFieldName = "DKIM-Signature:";

// Folder - appends words to a header field, breaking lines before kFoldColumns.
struct Folder {
  std::string out;
  std::size_t column = 0;
  void raw(std::string_view s) {
    out += s;
    column += s.size();
  }
  void newline() {
    out += "\r\n";
    column = 0;
  }
  // word - " word" on this line if it fits, else on a new line.
  void word(std::string_view w) {
    if (column + 1 + w.size() > kFoldColumns && column > 1) newline();
    raw(" ");
    raw(w);
  }
};

// append_header_list - "h=a:b:c;" broken between names where the line is full.
void append_header_list(Folder& f, std::string_view name, std::string_view value) {
  auto names = split_header_list(value);
  bool spaced = value.find(' ') != std::string_view::npos;  // keep an explicit " : " layout
  if (spaced || names.empty()) {
    f.word(std::string(name) + "=" + std::string(value) + ";");
    return;
  }
  std::string first = std::string(name) + "=" + names[0] + (names.size() == 1 ? ";" : ":");
  f.word(first);
  for (std::size_t i = 1; i < names.size(); ++i) {
    std::string piece = names[i] + (i + 1 == names.size() ? ";" : ":");
    if (f.column + piece.size() > kFoldColumns) {
      f.newline();
      f.raw(" ");
    }
    f.raw(piece);
  }
}

// append_b - " b=" on a new line, the value filling lines up to kFoldColumns.
void append_b(Folder& f, std::string_view b) {
  f.newline();
  f.raw(" b=");
  while (!b.empty()) {
    std::size_t room = kFoldColumns - f.column;
    f.raw(b.substr(0, room));
    b.remove_prefix(std::min(room, b.size()));
    if (!b.empty()) {
      f.newline();
      f.raw(" ");
    }
  }
}

// signed_data - 3.7: the selected header fields then the signature field without b= value.
std::string signed_data(Canon canon, const std::vector<std::string>& names,
                        const std::vector<mail::HeaderField>& headers, std::string_view unsigned_field) {
  std::string data;
  std::vector<bool> used(headers.size(), false);
  for (const auto& name : names) {
    for (std::size_t i = headers.size(); i-- > 0;) {
      if (!used[i] && headers[i].is(name)) {
        used[i] = true;
        data += canonicalize_header(canon, headers[i].raw);
        break;
      }
    }
  }
  std::string self = canonicalize_header(canon, unsigned_field.substr(0, unsigned_field.size() - 2));
  self.resize(self.size() - 2);  // 3.7: without the final CRLF
  data += self;
  return data;
}

// sign_data - rsa-sha256 (RFC 8301) or ed25519-sha256 (RFC 8463 3) over the signed data.
std::expected<std::string, SignError> sign_data(const keys::PrivateKey& key, std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  const EVP_MD* md = EVP_sha256();
  const unsigned char* input = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t input_len = data.size();
  if (key.type() == keys::KeyType::ed25519) {
    SHA256(input, input_len, digest);
    input = digest;
    input_len = sizeof digest;
    md = nullptr;  // PureEdDSA over the digest
  }
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key.pkey()) != 1) {
    return std::unexpected(SignError::crypto_failure);
  }
  std::size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, input, input_len) != 1) {
    return std::unexpected(SignError::crypto_failure);
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, input, input_len) != 1) {
    return std::unexpected(SignError::crypto_failure);
  }
  sig.resize(len);
  return keys::base64_encode(sig);
}

}  // namespace

std::string render_signature(const std::vector<Tag>& tags, std::string_view b_value) {
  Folder f;
  f.raw(kFieldName);
  for (const auto& [name, value] : tags) {
    if (name == "h") {
      append_header_list(f, name, value);
    } else {
      f.word(name + "=" + value + ";");
    }
  }
  append_b(f, b_value);
  f.out += "\r\n";
  return f.out;
}

std::string_view algorithm_name(const keys::PrivateKey& key) {
  return key.type() == keys::KeyType::rsa ? "rsa-sha256" : "ed25519-sha256";
}

std::vector<std::string> split_header_list(std::string_view h) {
  std::vector<std::string> names;
  while (true) {
    std::size_t colon = h.find(':');
    std::string_view name = h.substr(0, colon);
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t' || name.front() == '\r' || name.front() == '\n')) name.remove_prefix(1);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t' || name.back() == '\r' || name.back() == '\n')) name.remove_suffix(1);
    if (!name.empty()) names.emplace_back(name);
    if (colon == std::string_view::npos) break;
    h.remove_prefix(colon + 1);
  }
  return names;
}

std::expected<std::string, SignError> sign_with_layout(const keys::PrivateKey& key, Canon header_canon,
                                                       const std::vector<Tag>& tags,
                                                       const std::vector<mail::HeaderField>& headers) {
  std::vector<std::string> names;
  for (const auto& [name, value] : tags) {
    if (name == "h") names = split_header_list(value);
  }
  std::string unsigned_field = render_signature(tags, "");
  auto b = sign_data(key, signed_data(header_canon, names, headers, unsigned_field));
  if (!b) return std::unexpected(b.error());
  return render_signature(tags, *b);
}

}  // namespace postseal::dkim
