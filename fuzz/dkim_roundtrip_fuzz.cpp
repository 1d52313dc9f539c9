// dkim_roundtrip_fuzz.cpp - DKIM sign -> verify round trip on random messages: our signer
// (core/dkim/message_signer.hpp) signs with a fixed test key, our verifier
// (core/dkim/message_verifier.hpp) checks the result with the public key from an in-memory
// zone. The signature must pass; the same message with one body octet changed must not.
//
// Keys: the RFC 8463 test keys (tests/data/dkim/rfc8463: RSA "test" and Ed25519 "brisbane" at
// football.example.com), compiled in so the target reads no files. Input: byte 0 picks the
// key (bit 0), header c= (bit 1), body c= (bit 2), t= or not (bit 3); byte 1 cuts the body in
// two chunks for the verifier and picks the octet to change; the rest is a header block,
// "\r\n\r\n", the body. Fields are those the header parser accepts, without From and
// DKIM-Signature fields (the target adds one From; a message it cannot parse is signed with
// the From alone). The changed octet is one that is content in both canonicalizations (not
// CR, LF, SP or HTAB); a body without one is not tampered with. Inputs over kMaxInputOctets
// are skipped. No network, no files, deterministic (fixed clock).
#include "core/crypto/private_key.hpp"
#include "core/dkim/key_cache.hpp"
#include "core/dkim/message_signer.hpp"
#include "core/dkim/message_verifier.hpp"
#include "core/dns/memory_zone.hpp"
#include "core/mail/header.hpp"
#include "core/util/clock.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// GCC 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames at -O2.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {

constexpr std::size_t kMaxInputOctets = 32 * 1024;
constexpr std::size_t kOptionOctets = 2;
constexpr std::size_t kMaxFuzzedFields = 900;  // room for From and the signature
constexpr std::int64_t kNow = 1700000000;
constexpr std::string_view kDomain = "football.example.com";
constexpr std::string_view kFrom = "From: Joe SixPack <joe@football.example.com>";

constexpr std::string_view kRsaPem =
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIICXQIBAAKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQi\n"
    "Y/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqM\n"
    "KrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\n"
    "AoGAH0cxOhFZDgzXWhDhnAJDw5s4roOXN4OhjiXa8W7Y3rhX3FJqmJSPuC8N9vQm\n"
    "6SVbaLAE4SG5mLMueHlh4KXffEpuLEiNp9Ss3O4YfLiQpbRqE7Tm5SxKjvvQoZZe\n"
    "zHorimOaChRL2it47iuWxzxSiRMv4c+j70GiWdxXnxe4UoECQQDzJB/0U58W7RZy\n"
    "6enGVj2kWF732CoWFZWzi1FicudrBFoy63QwcowpoCazKtvZGMNlPWnC7x/6o8Gc\n"
    "uSe0ga2xAkEA8C7PipPm1/1fTRQvj1o/dDmZp243044ZNyxjg+/OPN0oWCbXIGxy\n"
    "WvmZbXriOWoSALJTjExEgraHEgnXssuk7QJBALl5ICsYMu6hMxO73gnfNayNgPxd\n"
    "WFV6Z7ULnKyV7HSVYF0hgYOHjeYe9gaMtiJYoo0zGN+L3AAtNP9huqkWlzECQE1a\n"
    "licIeVlo1e+qJ6Mgqr0Q7Aa7falZ448ccbSFYEPD6oFxiOl9Y9se9iYHZKKfIcst\n"
    "o7DUw1/hz2Ck4N5JrgUCQQCyKveNvjzkkd8HjYs0SwM0fPjK16//5qDZ2UiDGnOe\n"
    "uEzxBDAr518Z8VFbR41in3W4Y3yCDgQlLlcETrS+zYcL\n"
    "-----END RSA PRIVATE KEY-----\n";
constexpr std::string_view kRsaRecord =
    "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6w"
    "y5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvH"
    "O9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";
constexpr std::string_view kEdPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";
constexpr std::string_view kEdRecord = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

using namespace postseal;

struct Fixture {
  FixedClock clock{kNow};
  dns::MemoryZone zone;
  dkim::KeyCache cache;
  std::shared_ptr<const crypto::PrivateKey> rsa, ed;
  Fixture() {
    auto txt = [](std::string_view s) { return dns::Record{dns::RrType::txt, {}, {}, 0, {std::string(s)}}; };
    zone.add("test._domainkey.football.example.com", txt(kRsaRecord));
    zone.add("brisbane._domainkey.football.example.com", txt(kEdRecord));
    rsa = crypto::PrivateKey::from_pem(kRsaPem, "rfc8463 rsa").value();
    ed = crypto::PrivateKey::from_pem(kEdPem, "rfc8463 ed25519").value();
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

// message_fields - the fuzzed fields the round trip keeps, under one From.
std::vector<mail::HeaderField> message_fields(std::string_view head) {
  std::vector<mail::HeaderField> out{mail::HeaderField{std::string(kFrom)}};
  auto fields = mail::parse_header_block(head);
  if (!fields || fields->size() > kMaxFuzzedFields) return out;
  for (auto& f : *fields)
    if (!f.is("From") && !f.is("DKIM-Signature")) out.push_back(std::move(f));
  return out;
}

std::vector<dkim::SignatureResult> verify(const std::vector<mail::HeaderField>& fields, std::string_view body,
                                          std::size_t cut) {
  auto& fx = fixture();
  dkim::VerifyOptions options;
  options.key_cache = &fx.cache;
  dkim::MessageVerifier v(options, fx.clock);
  v.headers(fields);
  v.body(body.substr(0, cut));
  v.body(body.substr(cut));
  std::vector<dkim::SignatureResult> out;
  asio::io_context io;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await v.finish(fx.zone); }, asio::detached);
  io.run();
  return out;
}

[[noreturn]] void fail(std::string_view what, const std::vector<dkim::SignatureResult>& r) {
  std::fprintf(stderr, "%.*s: %zu results", static_cast<int>(what.size()), what.data(), r.size());
  if (!r.empty()) std::fprintf(stderr, ", first: %s", r[0].reason.c_str());
  std::fprintf(stderr, "\n");
  std::abort();
}

// content_octet - the index of an octet that is content in both canonicalizations.
std::optional<std::size_t> content_octet(std::string_view body, std::size_t from) {
  for (std::size_t k = 0; k < body.size(); ++k) {
    std::size_t i = (from + k) % body.size();
    char c = body[i];
    if (c != '\r' && c != '\n' && c != ' ' && c != '\t') return i;
  }
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < kOptionOctets || size > kMaxInputOctets) return 0;
  auto& fx = fixture();
  const bool use_ed = (data[0] & 1) != 0;
  dkim::SignOptions options;
  options.header_canon = (data[0] & 2) != 0 ? dkim::Canon::simple : dkim::Canon::relaxed;
  options.body_canon = (data[0] & 4) != 0 ? dkim::Canon::simple : dkim::Canon::relaxed;
  options.timestamp = (data[0] & 8) != 0;
  std::string_view in(reinterpret_cast<const char*>(data) + kOptionOctets, size - kOptionOctets);
  auto split = in.find("\r\n\r\n");
  std::string_view head = split == std::string_view::npos ? std::string_view{} : in.substr(0, split + 2);
  std::string body(split == std::string_view::npos ? in : in.substr(split + 4));
  const std::size_t cut = body.empty() ? 0 : data[1] % (body.size() + 1);

  auto fields = message_fields(head);
  dkim::MessageSigner signer({{std::string(kDomain), use_ed ? "brisbane" : "test", use_ed ? fx.ed : fx.rsa}},
                             options, fx.clock);
  signer.body(body.substr(0, body.size() - cut));
  signer.body(std::string_view(body).substr(body.size() - cut));
  auto signature = signer.finish(fields);
  if (!signature) std::abort();  // one From, a usable key: signing cannot fail

  std::string block = *signature;
  for (const auto& f : fields) block += f.raw + "\r\n";
  auto signed_fields = mail::parse_header_block(block);
  if (!signed_fields) std::abort();  // the signer wrote a field our parser refuses

  auto results = verify(*signed_fields, body, cut);
  if (results.size() != 1 || results[0].result != dkim::Result::pass) fail("signed message does not pass", results);

  auto at = content_octet(body, data[1]);
  if (!at) return 0;
  body[*at] = body[*at] == 'x' ? 'y' : 'x';
  auto tampered = verify(*signed_fields, body, cut);
  if (tampered.size() != 1 || tampered[0].result == dkim::Result::pass) fail("changed body passes", tampered);
  return 0;
}
