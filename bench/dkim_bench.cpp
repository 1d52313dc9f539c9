// dkim_bench.cpp - DKIM signing throughput: messages/s per core and canonicalize+hash MB/s.
//
// Not a test. Signs a 4 KB and a 100 KB message (headers parsed, body canonicalized and
// hashed, signature made and folded) with RSA-2048, Ed25519 and both (dual), in a plain
// timing loop on one thread (CPU time), and reports the median of kRuns runs of about kRunSeconds each.
// Also times BodyHasher alone (relaxed and simple) over a kHashBytes text body. Output: one
// "name value unit" line per figure, read by bench/run_dkim.sh. Keys are generated in memory.
#include "core/mail/header.hpp"
#include "core/util/clock.hpp"
#include "keys/keygen.hpp"
#include "signer/dkim/canonicalize.hpp"
#include "signer/dkim/message_signer.hpp"

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

// median_rate - run `once` repeatedly for kRunSeconds of CPU, kRuns times; median ops/s.
double median_rate(const std::function<void()>& once) {
  std::vector<double> rates;
  for (int r = 0; r < kRuns; ++r) {
    double start = cpu_seconds();
    long n = 0;
    double elapsed = 0;
    do {
      once();
      ++n;
      elapsed = cpu_seconds() - start;
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
  auto rsa = keys::generate_key(keys::KeyType::rsa, 2048);
  auto ed = keys::generate_key(keys::KeyType::ed25519, 0);
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
      double rate = median_rate([&] { sign_once(message, set.keys, clock); });
      std::printf("sign_%s_%zuk %.1f msg/s\n", set.name, size / 1024, rate);
      std::fflush(stdout);
    }
  }
  std::string hard = make_message(kHashBytes), plain = make_message(kHashBytes, kPlainLine);
  struct { const char* name; dkim::Canon canon; const std::string* body; } hashes[] = {
      {"relaxed", dkim::Canon::relaxed, &hard},
      {"simple", dkim::Canon::simple, &hard},
      {"relaxed_plain", dkim::Canon::relaxed, &plain}};
  for (const auto& h : hashes) {
    double rate = median_rate([&] {
      dkim::BodyHasher hasher(h.canon, EVP_sha256());
      hasher.update(*h.body);
      hasher.finish();
    });
    std::printf("canon_hash_%s %.1f MB/s\n", h.name, rate * static_cast<double>(h.body->size()) / 1e6);
  }
  return 0;
}
