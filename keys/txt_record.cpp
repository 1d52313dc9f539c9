// txt_record.cpp - the DKIM key record in zone-file and JSON form (RFC 1035 3.3.14, 5.1).
//
// The record text comes from core/dkim/key_record.hpp. Limits: quoted strings of at most
// kMaxTxtStringOctets; the first string carries the tags before p= so the key starts a string
// of its own, as DNS providers' examples do.
#include "keys/txt_record.hpp"

#include "core/dkim/key_record.hpp"

#include <fmt/format.h>

namespace postseal::keys {

namespace {

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// key_kind - the k= of a private key's public half.
dkim::KeyKind key_kind(const crypto::PrivateKey& key) {
  return key.type() == crypto::KeyType::rsa ? dkim::KeyKind::rsa : dkim::KeyKind::ed25519;
}

}  // namespace

KeyRecord make_key_record(std::string_view domain, std::string_view selector, const crypto::PrivateKey& key) {
  return {dkim::key_name(selector, domain),
          dkim::render_key_record(key_kind(key), key.public_key_base64())};
}

std::vector<std::string> txt_strings(const KeyRecord& record) {
  std::string_view v = record.value;
  std::vector<std::string> out;
  std::size_t p = v.find("p=");
  if (p != std::string_view::npos && p != 0 && p <= kMaxTxtStringOctets) {
    out.emplace_back(v.substr(0, p));
    v.remove_prefix(p);
  }
  while (!v.empty()) {
    out.emplace_back(v.substr(0, kMaxTxtStringOctets));
    v.remove_prefix(std::min(v.size(), kMaxTxtStringOctets));
  }
  return out;
}

std::string zone_line(const KeyRecord& record) {
  std::string line = record.name + ". IN TXT (";
  for (const auto& s : txt_strings(record)) line += " \"" + s + "\"";
  return line + " )\n";
}

std::string json(const KeyRecord& record) {
  return fmt::format("{{\"name\":{},\"type\":\"TXT\",\"value\":{}}}\n", json_string(record.name),
                     json_string(record.value));
}

}  // namespace postseal::keys
