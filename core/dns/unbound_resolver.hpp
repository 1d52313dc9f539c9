// unbound_resolver.hpp - the production Resolver: libunbound, asynchronous on Asio.
//
// One ub_ctx per resolver in async mode (ub_ctx_async, no extra thread: answers are processed
// on the io_context). Each lookup is a coroutine: ub_resolve_async starts the query, ub_fd is
// watched with an asio::posix::stream_descriptor, and ub_process runs the callbacks, which
// complete the waiting coroutine. A per-query timer (kDefaultQueryTimeout unless set) cancels
// the query with ub_cancel and answers Rcode::timeout. Options: forwarders ("127.0.0.1@5353"),
// else the system's /etc/resolv.conf (ub_ctx_resolvconf); with a forwarder the built-in local
// zones "test." and "invalid." and the reverse zones of the documentation networks
// (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32) are removed so test data reaches
// the server (docs/design.md, Testing).
// Answers over 512 octets come back truncated over UDP and libunbound retries over TCP itself.
// The answer is decoded from the wire packet (bounds-checked, names decompressed with a jump
// limit) into Records: A/AAAA addresses, MX preference + exchange, TXT/SPF strings,
// PTR/CNAME/NS names. NXDOMAIN -> nxdomain; SERVFAIL, REFUSED, bogus and other failures ->
// servfail; NODATA -> noerror with no records; Answer::ttl from the packet, for the
// CachingResolver in front (answer_cache.hpp). libunbound's cache keeps positive and negative
// answers (NXDOMAIN/NODATA) for their TTLs, per resolver. Untrusted input: DNS answers.
// Thread-safe: every lookup, the descriptor watch and libunbound's callbacks run on one strand
// of the io_context given (the daemon's loop), so io threads (verifier.threads > 1) may share
// one resolver; a lookup hands its query to the strand and resumes its caller on the caller's
// own executor (co_spawn completes on the awaiting coroutine's executor). The verifier keeps
// its sessions on that loop's threads: on session threads of their own (as srsd's are), each
// lookup missing the cache hopped threads twice and cost 50 % more CPU per request
// (bench/run_session_threads.sh).
#pragma once

#include "core/dns/resolver.hpp"

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/strand.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

struct ub_ctx;
struct ub_result;

namespace postseal::dns {

// kDefaultQueryTimeout - how long one lookup may take before it answers Rcode::timeout.
inline constexpr std::chrono::milliseconds kDefaultQueryTimeout{5000};
// kMaxQueryTimeout - upper bound accepted for the timeout option (and dns.timeout_ms).
inline constexpr std::chrono::milliseconds kMaxQueryTimeout{60000};
// kMaxAnswerRecords - answer-section records decoded from one response; more are ignored.
inline constexpr std::size_t kMaxAnswerRecords = 256;
// kMaxCompressionJumps - compression pointers followed while reading one name.
inline constexpr int kMaxCompressionJumps = 32;
// kNegativeTtlWithoutSoa - seconds an NXDOMAIN/NODATA answer without an SOA in its authority
// section may be cached (RFC 2308 5 says such answers SHOULD NOT be cached, against loops
// between servers; we are an end consumer that passes no answer on, and unbound's local-zone
// answers carry no SOA, so a short time).
inline constexpr std::uint32_t kNegativeTtlWithoutSoa = 30;

struct UnboundOptions {
  // forwarders - "ADDR" or "ADDR@PORT" each; empty: use /etc/resolv.conf.
  std::vector<std::string> forwarders;
  std::chrono::milliseconds timeout = kDefaultQueryTimeout;
};

// parse_answer_packet - decode a DNS response (wire format, RFC 1035 4.1) into the records of
// `type` in its answer section, and Answer::ttl (dns_packet.cpp: answer TTLs, RFC 2308 5 for
// negative answers). Used by UnboundResolver; exposed for tests and fuzzing.
// Malformed packets give Rcode::servfail.
Answer parse_answer_packet(std::span<const std::uint8_t> packet, RrType type);

class UnboundResolver final : public Resolver {
 public:
  // Throws StartupError(kExitConfig) when libunbound refuses an option (bad forwarder).
  UnboundResolver(asio::io_context& io, UnboundOptions options);
  ~UnboundResolver() override;
  UnboundResolver(const UnboundResolver&) = delete;
  UnboundResolver& operator=(const UnboundResolver&) = delete;

  asio::awaitable<Answer> lookup(std::string name, RrType type) override;

  struct Pending;  // one query in flight (implementation detail)

 private:
  static void on_result(void* data, int err, ub_result* result);
  void watch();
  void finished(Pending* pending);
  asio::awaitable<Answer> lookup_on_strand(std::string name, RrType type);
  asio::strand<asio::io_context::executor_type> strand_;
  UnboundOptions options_;
  ub_ctx* ctx_ = nullptr;
  std::unique_ptr<asio::posix::stream_descriptor> fd_;
  bool watching_ = false;
  // pending_ - queries libunbound may still call back for, keyed by the callback's pointer.
  std::unordered_map<Pending*, std::shared_ptr<Pending>> pending_;
  std::shared_ptr<bool> alive_;
};

}  // namespace postseal::dns
