// dkim_bench.cpp - DKIM signing and verifying throughput: messages/s per core, and
// canonicalize+hash MB/s.
//
// Not a test. Signs a 4 KB and a 100 KB message (headers parsed, body canonicalized and
// hashed, signature made and folded) with RSA-2048, Ed25519 and both (dual), then verifies
// the signed messages with dkim::MessageVerifier (RFC 6376 6; headers parsed, body hashed,
// key records served by a dns::MemoryZone built from the generated keys' p= values, parsed
// keys kept in one KeyCache as the verifier does in production; every result must be pass),
// in a plain timing loop on one thread (CPU time), and reports the median of kRuns runs of
// about kRunSeconds each.
// Also times BodyHasher alone (relaxed and simple) over a kHashBytes text body, and plain
// SHA-256 over the same octets in kRawUpdateBytes updates (the ceiling of those). Output: one
// "name value unit" line per figure, read by bench/run_dkim.sh. Keys are generated in memory.
// `dkim_bench --only PREFIX` runs only the figures whose name starts with PREFIX (for perf).
#include "core/dkim/canonicalize.hpp"
#include "core/dkim/message_signer.hpp"
#include "core/dkim/message_verifier.hpp"
#include "core/dns/memory_zone.hpp"
#include "core/mail/header.hpp"
#include "core/util/clock.hpp"
#include "keys/keygen.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace {

using namespace postseal;

constexpr int kRuns = 5;
constexpr double kRunSeconds = 0.6;
constexpr std::size_t kHashBytes = 32 * 1024 * 1024;
// kRawUpdateBytes - the update size of the raw SHA-256 figure (as `openssl speed`'s largest).
constexpr std::size_t kRawUpdateBytes = 16 * 1024;

// g_only - `--only PREFIX`: the figures to run (empty: all).
std::string g_only;

// wanted - whether the figure `name` runs.
bool wanted(const std::string& name) { return name.starts_with(g_only); }
// any_wanted - whether some figure whose name starts with `group` runs.
bool any_wanted(std::string_view group) {
  return group.starts_with(g_only) || g_only.starts_with(group);
}

// kHardLine - a body line with a WSP run inside and WSP before its CRLF (relaxed rewrites it).
constexpr std::string_view kHardLine = "The quick brown fox  jumps over the lazy dog, again and again.\t \r\n";
// kPlainLine - a body line that relaxed canonicalization leaves as it is.
constexpr std::string_view kPlainLine = "The quick brown fox jumps over the lazy dog, again and again and on.\r\n";

// make_message - a plain-text message whose total size is about `bytes`.
std::string make_message(std::size_t bytes, std::string_view line = kHardLine) {
  std::string m =
      "From: Alice Example <alice@example.com>\r\nTo: Bob <bob@example.net>\r\n"
      "Subject: benchmark message\r\nDate: Mon, 23 Nov 2026 01:00:00 +0000\r\n"
      "Message-ID: <bench@example.com>\r\nMIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n\r\n";
  while (m.size() + line.size() <= bytes) m += line;
  return m;
}

// cpu_seconds - this thread's CPU time: rates per core stay true on a shared, busy machine
// (openssl speed divides by CPU time too).
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// median_rate - run `once` repeatedly for kRunSeconds of CPU, kRuns times; median ops/s. The
// clock is read between batches (doubling until a batch is 1/kClockReads of a run), not per
// call: reading a thread's CPU clock is a system call, and `openssl speed` does not pay one per
// operation either.
double median_rate(const std::function<void()>& once) {
  constexpr double kClockReads = 64;
  std::vector<double> rates;
  for (int r = 0; r < kRuns; ++r) {
    double start = cpu_seconds();
    long n = 0;
    long batch = 1;
    double elapsed = 0;
    do {
      for (long i = 0; i < batch; ++i) once();
      n += batch;
      elapsed = cpu_seconds() - start;
      if (elapsed < kRunSeconds / kClockReads) batch *= 2;
    } while (elapsed < kRunSeconds);
    rates.push_back(static_cast<double>(n) / elapsed);
  }
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

// sign_once - what the filter does per message: split, parse headers, hash body, sign.
void sign_once(const std::string& message, const std::vector<dkim::SignerKey>& keys, const Clock& clock) {
  std::size_t end = message.find("\r\n\r\n");
  auto fields = mail::parse_header_block(std::string_view(message).substr(0, end + 2));
  dkim::MessageSigner signer(keys, {}, clock);
  signer.body(std::string_view(message).substr(end + 4));
  auto out = signer.finish(*fields);
  if (!out) std::abort();
}

// signed_message - the message with the DKIM-Signature fields `keys` make prepended.
std::string signed_message(const std::string& message, const std::vector<dkim::SignerKey>& keys,
                           const Clock& clock) {
  std::size_t end = message.find("\r\n\r\n");
  auto fields = mail::parse_header_block(std::string_view(message).substr(0, end + 2));
  dkim::MessageSigner signer(keys, {}, clock);
  signer.body(std::string_view(message).substr(end + 4));
  auto out = signer.finish(*fields);
  if (!out) std::abort();
  return *out + message;
}

// verify_once - what the inbound verifier does per message: split, parse headers, find the
// signatures, hash the body, look the keys up (MemoryZone), check every signature. The
// io_context is the caller's, as the milter's and the proxy's is (one per process, not per
// message).
void verify_once(const std::string& message, std::size_t signatures, dkim::KeyCache& cache,
                 dns::MemoryZone& zone, const Clock& clock, asio::io_context& io) {
  std::size_t end = message.find("\r\n\r\n");
  auto fields = mail::parse_header_block(std::string_view(message).substr(0, end + 2));
  if (!fields) std::abort();
  dkim::VerifyOptions options;
  options.key_cache = &cache;
  dkim::MessageVerifier verifier(options, clock);
  verifier.headers(*fields);
  verifier.body(std::string_view(message).substr(end + 4));
  std::vector<dkim::SignatureResult> results;
  asio::co_spawn(io, verifier.finish(zone),
                 [&](std::exception_ptr, std::vector<dkim::SignatureResult> r) { results = std::move(r); });
  io.restart();
  io.run();
  if (results.size() != signatures) std::abort();
  for (const auto& r : results) {
    if (r.result != dkim::Result::pass) {
      std::fprintf(stderr, "dkim_bench: verify gave %s\n", dkim::format_result(r).c_str());
      std::abort();
    }
  }
}

// sha256_raw - SHA-256 over `octets` in kRawUpdateBytes updates, nothing else.
void sha256_raw(std::string_view octets) {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, md, nullptr);
  for (std::size_t at = 0; at < octets.size(); at += kRawUpdateBytes) {
    EVP_DigestUpdate(ctx, octets.data() + at, std::min(kRawUpdateBytes, octets.size() - at));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_MD_CTX_free(ctx);
}

// add_key - the selector's' TXT records, as keygen would publish them.
void add_key(dns::MemoryZone& zone, std::string_view selector, const crypto::PrivateKey& key) {
  auto record = keys::make_key_record("example.com", selector, key);
  dns::Record txt;
  txt.type = dns::RrType::txt;
  txt.strings = keys::txt_strings(record);
  zone.add(record.name, txt);
}

}  // namespace

// write_messages - `dkim_bench --write-messages DIR`: the messages, for the peer benchmark.
int write_messages(const char* dir) {
  for (std::size_t size : {std::size_t{4096}, std::size_t{100 * 1024}}) {
    std::string path = std::string(dir) + "/" + std::to_string(size / 1024) + "k.eml";
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return 1;
    std::string m = make_message(size);
    std::fwrite(m.data(), 1, m.size(), f);
    std::fclose(f);
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--write-messages") return write_messages(argv[2]);
  if (argc == 3 && std::string(argv[1]) == "--only") g_only = argv[2];
  auto rsa = keys::generate_key(crypto::KeyType::rsa, 2048);
  auto ed = keys::generate_key(crypto::KeyType::ed25519, 0);
  if (!rsa || !ed) return 1;
  FixedClock clock(1700000000);
  struct KeySet {
    const char* name;
    std::vector<dkim::SignerKey> keys;
  } sets[] = {{"rsa2048", {{"example.com", "rsa", *rsa}}},
              {"ed25519", {{"example.com", "ed", *ed}}},
              {"dual", {{"example.com", "rsa", *rsa}, {"example.com", "ed", *ed}}}};
  for (std::size_t size : {std::size_t{4096}, std::size_t{100 * 1024}}) {
    std::string message = make_message(size);
    for (const auto& set : sets) {
      std::string name = "sign_" + std::string(set.name) + "_" + std::to_string(size / 1024) + "k";
      if (!wanted(name)) continue;
      double rate = median_rate([&] { sign_once(message, set.keys, clock); });
      std::printf("%s %.1f msg/s\n", name.c_str(), rate);
      std::fflush(stdout);
    }
  }
  dns::MemoryZone zone;
  add_key(zone, "rsa", **rsa);
  add_key(zone, "ed", **ed);
  dkim::KeyCache cache;
  asio::io_context io;
  for (std::size_t size : {std::size_t{4096}, std::size_t{100 * 1024}}) {
    std::string message = make_message(size);
    for (const auto& set : sets) {
      std::string name =
          "verify_" + std::string(set.name) + "_" + std::to_string(size / 1024) + "k";
      if (!wanted(name)) continue;
      std::string signed_text = signed_message(message, set.keys, clock);
      double rate =
          median_rate([&] { verify_once(signed_text, set.keys.size(), cache, zone, clock, io); });
      std::printf("%s %.1f msg/s\n", name.c_str(), rate);
      std::fflush(stdout);
    }
  }
  if (!any_wanted("canon_hash_")) return 0;
  std::string hard = make_message(kHashBytes), plain = make_message(kHashBytes, kPlainLine);
  struct { const char* name; dkim::Canon canon; const std::string* body; } hashes[] = {
      {"relaxed", dkim::Canon::relaxed, &hard},
      {"simple", dkim::Canon::simple, &hard},
      {"relaxed_plain", dkim::Canon::relaxed, &plain}};
  for (const auto& h : hashes) {
    if (!wanted(std::string("canon_hash_") + h.name)) continue;
    double rate = median_rate([&] {
      dkim::BodyHasher hasher(h.canon, EVP_sha256());
      hasher.update(*h.body);
      hasher.finish();
    });
    std::printf("canon_hash_%s %.1f MB/s\n", h.name, rate * static_cast<double>(h.body->size()) / 1e6);
  }
  if (wanted("canon_hash_sha256_raw")) {
    double rate = median_rate([&] { sha256_raw(hard); });
    std::printf("canon_hash_sha256_raw %.1f MB/s\n", rate * static_cast<double>(hard.size()) / 1e6);
  }
  return 0;
}
