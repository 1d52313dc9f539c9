// dk_test_util.hpp - helpers shared by the DomainKeys unit tests: messages, keys, a zone,
// running a DkVerifier to completion on a private io_context.
#pragma once

#include "core/crypto/private_key.hpp"
#include "core/dns/memory_zone.hpp"
#include "core/domainkeys/dk_signer.hpp"
#include "core/domainkeys/dk_verifier.hpp"
#include "core/mail/header.hpp"
#include "core/util/clock.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace postseal::domainkeys::test {

inline std::string data_path(const std::string& name) {
  return std::string(POSTSEAL_TEST_DATA) + "/domainkeys/" + name;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string trim_newline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

inline std::shared_ptr<const crypto::PrivateKey> test_key() {
  auto key = crypto::PrivateKey::from_pem(read_file(data_path("rsa1024.pem")), "rsa1024.pem");
  EXPECT_TRUE(key.has_value()) << (key ? "" : key.error());
  return key ? *key : nullptr;
}

inline std::string test_public_key() { return trim_newline(read_file(data_path("rsa1024.pub.b64"))); }

// Message - a message split into header fields and body.
struct Message {
  std::vector<mail::HeaderField> fields;
  std::string body;
};

// split_message - "headers CRLF CRLF body" -> fields + body.
inline Message split_message(const std::string& text) {
  Message m;
  auto end = text.find("\r\n\r\n");
  std::string block = end == std::string::npos ? text : text.substr(0, end + 2);
  m.body = end == std::string::npos ? "" : text.substr(end + 4);
  auto fields = mail::parse_header_block(block);
  EXPECT_TRUE(fields.has_value());
  if (fields) m.fields = std::move(*fields);
  return m;
}

// prepend - the fields with a new first field made of `field_text` ("Name: value\r\n").
inline std::vector<mail::HeaderField> prepend(std::string field_text,
                                              const std::vector<mail::HeaderField>& fields) {
  while (!field_text.empty() && (field_text.back() == '\n' || field_text.back() == '\r')) {
    field_text.pop_back();
  }
  std::vector<mail::HeaderField> out{mail::HeaderField{field_text}};
  out.insert(out.end(), fields.begin(), fields.end());
  return out;
}

// zone_with_key - a zone with `record` at sel._domainkey.example.com (or `name`).
inline void add_txt(dns::MemoryZone& zone, const std::string& name, const std::string& record) {
  dns::Record r;
  r.type = dns::RrType::txt;
  for (std::size_t i = 0; i < record.size(); i += 255) r.strings.push_back(record.substr(i, 255));
  if (record.empty()) r.strings.push_back("");
  zone.add(name, r);
}

// verify - run a DkVerifier over fields + body (in chunks of `chunk` octets).
inline std::optional<DkResult> verify(const std::vector<mail::HeaderField>& fields,
                                      const std::string& body, dns::Resolver& resolver,
                                      std::size_t chunk = 4096) {
  FixedClock clock(1700000000);
  DkVerifier v(clock);
  v.headers(fields);
  for (std::size_t i = 0; i < body.size(); i += chunk) v.body(std::string_view(body).substr(i, chunk));
  asio::io_context io;
  std::optional<DkResult> out;
  bool done = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        out = co_await v.finish(resolver);
        done = true;
      },
      asio::detached);
  io.run();
  EXPECT_TRUE(done);
  return out;
}

// sign - DkSigner over fields + body; the field text or the error.
inline std::expected<std::string, std::string> sign(const Message& m, DkSignOptions options,
                                                    const std::string& domain = "example.com",
                                                    const std::string& selector = "sel",
                                                    bool stream_headers = true) {
  DkSigner s(domain, selector, test_key(), options);
  if (stream_headers) s.headers(m.fields);
  for (std::size_t i = 0; i < m.body.size(); i += 7) s.body(std::string_view(m.body).substr(i, 7));
  return s.finish(m.fields);
}

inline const char* kBasicMessage =
    "Received: from client.example.com by mx.example.com; Mon, 23 Nov 2026 01:00:00 +0000\r\n"
    "From: Alice Example <alice@example.com>\r\n"
    "To: bob@example.org\r\n"
    "Subject: a folded\r\n"
    "  subject line\r\n"
    "Date: Mon, 23 Nov 2026 01:00:00 +0000\r\n"
    "Message-ID: <1@example.com>\r\n"
    "\r\n"
    "Hello Bob,\r\n"
    "\r\n"
    "  some   spaced\ttext \r\n"
    "   \r\n"
    "last line\r\n"
    "\r\n"
    "\r\n";

}  // namespace postseal::domainkeys::test
