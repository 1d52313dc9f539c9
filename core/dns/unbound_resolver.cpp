// unbound_resolver.cpp - libunbound on Asio (see unbound_resolver.hpp).
#include "core/dns/unbound_resolver.hpp"
#include "core/metrics/events.hpp"

#include "core/util/errors.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"

#include <asio/redirect_error.hpp>
#include <asio/co_spawn.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <unbound.h>


namespace postseal::dns {

// Pending - one query in flight. Owned by the resolver's table while libunbound may still call
// back, and by the waiting coroutine; the timer is both the timeout and the wake-up.
struct UnboundResolver::Pending {
  explicit Pending(const asio::strand<asio::io_context::executor_type>& strand) : timer(strand) {}
  asio::steady_timer timer;
  UnboundResolver* owner = nullptr;
  RrType type = RrType::a;
  int async_id = 0;
  bool done = false;
  Answer answer;
};

namespace {

constexpr int kClassIn = 1;
constexpr int kRcodeNxdomain = 3;

// kZonesForwarded - libunbound's built-in local zones that are removed when a forwarder is
// set, so the configured server answers for them: the special-use names of RFC 6761 that
// tests use, and the reverse zones of the documentation networks (RFC 5737, RFC 3849) whose
// addresses tests publish PTR records for.
constexpr const char* kZonesForwarded[] = {
    "test.", "invalid.", "2.0.192.in-addr.arpa.", "100.51.198.in-addr.arpa.",
    "113.0.203.in-addr.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa."};

// decode_result - libunbound's result as an Answer; the records and the TTL (also of an
// NXDOMAIN, from its SOA) come from the wire packet.
Answer decode_result(int err, ub_result* result, RrType type) {
  if (err != 0 || result == nullptr) return Answer{Rcode::servfail, {}};
  if (result->bogus) return Answer{Rcode::servfail, {}};
  if (result->rcode != 0 && result->rcode != kRcodeNxdomain) return Answer{Rcode::servfail, {}};
  if (result->answer_packet == nullptr || result->answer_len <= 0) {
    return Answer{result->rcode == kRcodeNxdomain ? Rcode::nxdomain : Rcode::servfail, {}};
  }
  std::span<const std::uint8_t> packet(static_cast<const std::uint8_t*>(result->answer_packet),
                                       static_cast<std::size_t>(result->answer_len));
  Answer answer = parse_answer_packet(packet, type);
  if (result->rcode == kRcodeNxdomain && answer.rcode != Rcode::nxdomain) {
    return Answer{Rcode::nxdomain, {}};  // the packet disagrees: trust the rcode, cache nothing
  }
  return answer;
}

}  // namespace

// on_result - libunbound's callback, run inside ub_process() on the resolver's strand.
void UnboundResolver::on_result(void* data, int err, ub_result* result) {
  auto* pending = static_cast<UnboundResolver::Pending*>(data);
  pending->answer = decode_result(err, result, pending->type);
  pending->done = true;
  if (result != nullptr) ub_resolve_free(result);
  pending->timer.cancel();
  pending->owner->finished(pending);
}

// set_recovery_options - how soon answers come back after the DNS server was down. libunbound
// remembers a server that stopped answering in its infrastructure cache for infra-host-ttl
// (900 s by default) with a retry timeout grown up to 120 s, and treats it as down meanwhile:
// after a one-minute outage lookups of a name asked during it timed out or SERVFAILed for
// minutes (soak.dns_faults at SOAK_SCALE=6, nothing right within 15 s). With the record kept
// 10 s (and a server that is down still probed) answers were right 6-10 s after each of the
// three one-minute faults and 0-3 s after the CI run's 10-s ones. infra-keep-probing alone, or
// with infra-cache-max-rtt 12 s, did not do it (tried); a 2-s max RTT made a 10-s fault last
// a minute. The cost: a forwarder's round-trip time is measured again every 10 s.
static void set_recovery_options(ub_ctx* ctx, const auto& check) {
  const std::pair<const char*, const char*> options[] = {{"infra-keep-probing:", "yes"},
                                                         {"infra-host-ttl:", "10"}};
  for (const auto& [name, value] : options)
    check(ub_ctx_set_option(ctx, name, value), fmt::format("cannot set {} {}", name, value));
}

UnboundResolver::UnboundResolver(asio::io_context& io, UnboundOptions options)
    : strand_(asio::make_strand(io)), options_(std::move(options)), alive_(std::make_shared<bool>(true)) {
  ctx_ = ub_ctx_create();
  if (ctx_ == nullptr) throw StartupError(kExitSoftware, "libunbound: cannot create a context");
  auto check = [this](int err, std::string_view what) {
    if (err == 0) return;
    std::string message = fmt::format("DNS resolver: {}: {}", what, ub_strerror(err));
    ub_ctx_delete(ctx_);
    ctx_ = nullptr;
    throw StartupError(kExitConfig, message);
  };
  // Before anything that finalizes the context (ub_ctx_zone_remove does).
  check(ub_ctx_async(ctx_, 1), "cannot enable asynchronous mode");
  set_recovery_options(ctx_, check);
  if (options_.forwarders.empty()) {
    check(ub_ctx_resolvconf(ctx_, nullptr), "cannot read /etc/resolv.conf");
  } else {
    for (const auto& f : options_.forwarders) {
      check(ub_ctx_set_fwd(ctx_, f.c_str()),
            fmt::format("bad DNS server '{}' (want ADDRESS or ADDRESS@PORT)", printable(f)));
    }
    // Built-in local zones answer NXDOMAIN for these special-use names by themselves; a test
    // server may hold data for them (docs/design.md, Testing). Absent zones are not an error.
    for (const char* zone : kZonesForwarded) ub_ctx_zone_remove(ctx_, zone);
  }
  int fd = ub_fd(ctx_);
  if (fd < 0) check(UB_PIPE, "no file descriptor to watch");
  fd_ = std::make_unique<asio::posix::stream_descriptor>(strand_, fd);
}

UnboundResolver::~UnboundResolver() {
  *alive_ = false;
  if (fd_) {
    asio::error_code ignored;
    fd_->cancel(ignored);
    fd_->release();  // libunbound owns the descriptor
  }
  // Wake coroutines still waiting; they see alive_ == false and answer timeout.
  for (auto& [raw, pending] : pending_) pending->timer.cancel();
  pending_.clear();
  if (ctx_ != nullptr) ub_ctx_delete(ctx_);
}

void UnboundResolver::finished(Pending* pending) {
  pending_.erase(pending);
  if (pending_.empty() && fd_) {
    asio::error_code ignored;
    fd_->cancel(ignored);
  }
}

void UnboundResolver::watch() {
  if (watching_ || pending_.empty()) return;
  watching_ = true;
  fd_->async_wait(asio::posix::stream_descriptor::wait_read,
                  [this, alive = alive_](const asio::error_code& ec) {
                    if (!*alive) return;
                    watching_ = false;
                    if (ec) {
                      watch();  // cancelled when idle; re-arms only if queries are in flight
                      return;
                    }
                    int err = ub_process(ctx_);
                    if (err != 0) log::warning("DNS resolver: {}", ub_strerror(err));
                    watch();
                  });
}

asio::awaitable<Answer> UnboundResolver::lookup(std::string name, RrType type) {
  // ctx_, pending_ and the watch are only touched on strand_ (see the header).
  const auto start = std::chrono::steady_clock::now();
  Answer answer = co_await asio::co_spawn(strand_, lookup_on_strand(std::move(name), type), asio::use_awaitable);
  metrics::count_dns_lookup(to_string(answer.rcode), std::chrono::steady_clock::now() - start);
  co_return answer;
}

asio::awaitable<Answer> UnboundResolver::lookup_on_strand(std::string name, RrType type) {
  auto pending = std::make_shared<Pending>(strand_);
  pending->owner = this;
  pending->type = type;
  pending->timer.expires_after(options_.timeout);
  int err = ub_resolve_async(ctx_, name.c_str(), static_cast<int>(type), kClassIn, pending.get(),
                             &UnboundResolver::on_result, &pending->async_id);
  if (err != 0) {
    log::warning("DNS lookup {} {}: {}", printable(name), to_string(type), ub_strerror(err));
    co_return Answer{Rcode::servfail, {}};
  }
  pending_.emplace(pending.get(), pending);
  watch();
  auto alive = alive_;
  asio::error_code ec;
  co_await pending->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  if (pending->done) co_return std::move(pending->answer);
  if (!*alive) co_return Answer{Rcode::timeout, {}};
  // Timed out: cancel so the callback never runs. Should libunbound not know the query any
  // more, the entry stays in the table (freed with the resolver) rather than risk a late
  // callback on freed memory.
  if (ub_cancel(ctx_, pending->async_id) == 0) finished(pending.get());
  co_return Answer{Rcode::timeout, {}};
}

}  // namespace postseal::dns
