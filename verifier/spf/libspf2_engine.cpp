// libspf2_engine.cpp - the libspf2 (1.2.x) SpfEngine, kept for compatibility (spf.engine =
// "libspf2") and as a second opinion in tests.
//
// libspf2 is synchronous; its DNS layer (SPF_dns_server_t) is replaced by one that answers
// from our dns::Resolver: a MemoryZone is asked directly on the calling thread, any other
// resolver is driven from a worker thread (libspf2 runs there and waits on lookups posted
// back to the caller's executor). Its process-wide error handler, which calls abort(), is
// replaced by one that jumps back to the evaluation and reports permerror (the objects of
// that evaluation are leaked, the daemon lives). Its warnings are silenced. The time cap
// (SpfOptions::time_cap_seconds) is enforced in the DNS hook: once it has passed, every further
// lookup answers as timed out, so libspf2 ends with temperror. What libspf2 lacks compared
// with the native engine: /0 CIDRs, several syntax permerrors, the void-lookup limit; its
// expected suite failures are listed in tests/conformance/spf/libspf2_expected_failures.inc.
#include "core/dns/memory_zone.hpp"
#include "core/util/text.hpp"
#include "verifier/spf/engine.hpp"

#include <asio/co_spawn.hpp>
#include <asio/this_coro.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <netinet/in.h>
#include <arpa/nameser.h>
#include <resolv.h>
#include <netdb.h>
extern "C" {
#include <spf2/spf.h>
#include <spf2/spf_dns.h>
}

#include <csetjmp>
#include <cstring>
#include <functional>
#include <future>
#include <mutex>

// GCC 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames at -O2.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace postseal::spf {
namespace {

// Worker threads for libspf2 evaluations over an asynchronous resolver.
inline constexpr int kLibspf2Threads = 2;

// CallContext - what the DNS hook of the evaluation running on this thread answers from.
struct CallContext {
  std::function<dns::Answer(const std::string&, dns::RrType)> lookup;
  std::string override_text;  // answers the first TXT lookup (the policy of the sender's domain)
  const SpfTrace* trace = nullptr;
  const Clock* clock = nullptr;  // with deadline: the time cap
  std::int64_t deadline = 0;     // clock->now() past this: lookups time out
};

// past_time_cap - whether the evaluation on this thread has run out of time.
bool past_time_cap(const CallContext& ctx) { return ctx.clock != nullptr && ctx.clock->now() > ctx.deadline; }

thread_local CallContext* tl_context = nullptr;
thread_local sigjmp_buf* tl_jump = nullptr;
// ThreadServer - this thread's libspf2 server, freed when the thread ends (the worker pool's
// threads end at exit; without this each left its server behind).
struct ThreadServer {
  SPF_server_t* server = nullptr;
  ~ThreadServer() {
    if (server != nullptr) SPF_server_free(server);
  }
};
thread_local ThreadServer tl_server;
thread_local SPF_dns_server_t tl_dns{};

// GNU noreturn as well: libspf2 declares SPF_error_handler's pointer type with it, and clang
// will not assign a function without it.
__attribute__((noreturn)) void contained_error(const char* /*file*/, int /*line*/, const char* /*message*/) {
  if (tl_jump != nullptr) siglongjmp(*tl_jump, 1);
  std::abort();  // only reachable if libspf2 is called outside run_libspf2()
}

void quiet(const char*, int, const char*) {}

void install_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    SPF_error_handler = contained_error;
    SPF_warning_handler = quiet;
    SPF_info_handler = quiet;
    SPF_debug_handler = quiet;
  });
}

bool to_rr_type(ns_type type, dns::RrType& out) {
  switch (type) {
    case ns_t_a: out = dns::RrType::a; return true;
    case ns_t_aaaa: out = dns::RrType::aaaa; return true;
    case ns_t_txt: out = dns::RrType::txt; return true;
    case ns_t_mx: out = dns::RrType::mx; return true;
    case ns_t_ptr: out = dns::RrType::ptr; return true;
    case static_cast<ns_type>(99): out = dns::RrType::spf; return true;
    default: return false;
  }
}

bool copy_record(SPF_dns_rr_t* rr, int idx, const dns::Record& r) {
  std::string text;
  const void* data = nullptr;
  std::size_t len = 0;
  std::array<unsigned char, 4> v4{};
  std::array<unsigned char, 16> v6{};
  if (r.type == dns::RrType::a && r.address.is_v4()) {
    v4 = r.address.to_v4().to_bytes();
    data = v4.data();
    len = v4.size();
  } else if (r.type == dns::RrType::aaaa && r.address.is_v6()) {
    v6 = r.address.to_v6().to_bytes();
    data = v6.data();
    len = v6.size();
  } else {
    text = (r.type == dns::RrType::txt || r.type == dns::RrType::spf) ? r.text() : r.name;
    data = text.c_str();
    len = text.size() + 1;
  }
  if (SPF_dns_rr_buf_realloc(rr, idx, len) != SPF_E_SUCCESS) return false;
  std::memcpy(rr->rr[idx], data, len);
  return true;
}

SPF_dns_rr_t* hook_lookup(SPF_dns_server_t* server, const char* domain, ns_type type, int) {
  dns::RrType our{};
  CallContext* ctx = tl_context;
  if (ctx == nullptr || !to_rr_type(type, our)) return SPF_dns_rr_new_nxdomain(server, domain);
  dns::Answer answer;
  if (our == dns::RrType::txt && !ctx->override_text.empty()) {
    dns::Record r;
    r.type = dns::RrType::txt;
    r.strings.push_back(std::move(ctx->override_text));
    ctx->override_text.clear();
    answer.records.push_back(std::move(r));
  } else {
    if (!past_time_cap(*ctx)) answer = ctx->lookup(domain, our);
    if (past_time_cap(*ctx)) answer = dns::Answer{.rcode = dns::Rcode::timeout};
  }
  if (ctx->trace && *ctx->trace)
    (*ctx->trace)(fmt::format("dns {} {} -> {} ({} records) [libspf2]", to_string(our),
                              printable(domain), to_string(answer.rcode), answer.records.size()));
  SPF_dns_stat_t herrno = NETDB_SUCCESS;
  if (answer.temporary()) herrno = TRY_AGAIN;
  else if (answer.rcode == dns::Rcode::nxdomain) herrno = HOST_NOT_FOUND;
  else if (answer.records.empty()) herrno = NO_DATA;
  SPF_dns_rr_t* rr = SPF_dns_rr_new_init(server, domain, type, 0, herrno);
  if (rr == nullptr) return nullptr;
  int n = 0;
  for (const auto& r : answer.records)
    if (r.type == our && copy_record(rr, n, r)) ++n;
  rr->num_rr = n;
  return rr;
}

SPF_server_t* thread_server() {
  if (tl_server.server != nullptr) return tl_server.server;
  tl_dns = SPF_dns_server_t{};
  tl_dns.lookup = hook_lookup;
  tl_dns.name = "postseal";
  tl_server.server = SPF_server_new_dns(&tl_dns, 0);
  return tl_server.server;
}

SpfResult map_result(SPF_result_t r, SPF_errcode_t err) {
  switch (r) {
    case SPF_RESULT_NEUTRAL: return SpfResult::neutral;
    case SPF_RESULT_PASS: return SpfResult::pass;
    case SPF_RESULT_FAIL: return SpfResult::fail;
    case SPF_RESULT_SOFTFAIL: return SpfResult::softfail;
    case SPF_RESULT_NONE: return SpfResult::none;
    case SPF_RESULT_TEMPERROR: return SpfResult::temperror;
    case SPF_RESULT_PERMERROR: return SpfResult::permerror;
    case SPF_RESULT_INVALID: break;
  }
  return err == SPF_E_DNS_ERROR ? SpfResult::temperror : SpfResult::permerror;
}

// evaluate - one libspf2 evaluation on this thread (no C++ object with a destructor lives
// between sigsetjmp and a possible siglongjmp except in this frame's callers).
void evaluate(const SpfQuery& query, SpfOutcome& out) {
  SPF_server_t* server = thread_server();
  if (server == nullptr) {
    out.result = SpfResult::temperror;
    out.reason = "libspf2: cannot create server";
    return;
  }
  SPF_server_set_rec_dom(server, query.receiver.empty() ? "unknown" : query.receiver.c_str());
  SPF_request_t* req = SPF_request_new(server);
  const auto ip = normalize_ip(query.ip);
  if (ip.is_v4()) {
    in_addr a{};
    std::memcpy(&a, ip.to_v4().to_bytes().data(), 4);
    SPF_request_set_ipv4(req, a);
  } else {
    in6_addr a{};
    std::memcpy(&a, ip.to_v6().to_bytes().data(), 16);
    SPF_request_set_ipv6(req, a);
  }
  if (!query.helo.empty()) SPF_request_set_helo_dom(req, query.helo.c_str());
  SPF_response_t* resp = nullptr;
  SPF_errcode_t err = SPF_E_SUCCESS;
  if (SPF_request_set_env_from(req, query.sender.c_str()) != 0) {
    out.result = SpfResult::permerror;
    out.reason = "libspf2: invalid sender";
  } else {
    err = SPF_request_query_mailfrom(req, &resp);
    out.result = resp ? map_result(SPF_response_result(resp), err) : SpfResult::temperror;
    if (err != SPF_E_SUCCESS) out.reason = fmt::format("libspf2: {}", SPF_strerror(err));
    const char* exp = resp ? SPF_response_get_explanation(resp) : nullptr;
    if (out.result == SpfResult::fail && exp != nullptr) out.explanation = printable(exp, kMaxExplanationLength);
  }
  if (resp) SPF_response_free(resp);
  SPF_request_free(req);
}

SpfOutcome run_libspf2(const SpfQuery& query, CallContext& ctx) {
  install_handlers();
  SpfOutcome out;
  out.domain = query.domain.empty() ? std::string(sender_domain(query.sender)) : query.domain;
  sigjmp_buf jump;
  tl_context = &ctx;
  if (sigsetjmp(jump, 0) != 0) {
    tl_jump = nullptr;
    tl_context = nullptr;
    tl_server.server = nullptr;  // its state is unknown after an internal error: leak it, start anew
    SpfOutcome failed;
    failed.result = SpfResult::permerror;
    failed.reason = "libspf2 internal error (contained)";
    failed.domain = out.domain;
    return failed;
  }
  tl_jump = &jump;
  evaluate(query, out);
  tl_jump = nullptr;
  tl_context = nullptr;
  return out;
}

asio::thread_pool& worker_pool() {
  static asio::thread_pool pool(kLibspf2Threads);
  return pool;
}

class Libspf2Engine final : public SpfEngine {
 public:
  std::string_view name() const override { return kEngineLibspf2; }

  asio::awaitable<SpfOutcome> check_host(dns::Resolver& resolver, const SpfQuery& query,
                                         const SpfOptions& options) override {
    CallContext ctx;
    ctx.trace = &options.trace;
    ctx.override_text = options.record_override;
    ctx.clock = options.clock ? options.clock : &system_clock_;
    ctx.deadline = ctx.clock->now() + options.time_cap_seconds;
    SpfOutcome out;
    if (auto* zone = dynamic_cast<dns::MemoryZone*>(&resolver)) {
      ctx.lookup = [zone](const std::string& name, dns::RrType type) { return zone->answer(name, type); };
      out = run_libspf2(query, ctx);
    } else {
      auto exec = co_await asio::this_coro::executor;
      // The answer is handed over by a handler run on `exec`, not through asio::use_future,
      // whose promise is set on a thread of asio's system_context (one more wake-up).
      ctx.lookup = [&resolver, exec](const std::string& name, dns::RrType type) {
        std::promise<dns::Answer> answer;
        asio::co_spawn(exec, resolver.lookup(name, type), [&answer](std::exception_ptr e, dns::Answer a) {
          if (e) answer.set_exception(e);
          else answer.set_value(std::move(a));
        });
        return answer.get_future().get();
      };
      out = co_await asio::co_spawn(
          worker_pool().get_executor(),
          [&]() -> asio::awaitable<SpfOutcome> { co_return run_libspf2(query, ctx); },
          asio::use_awaitable);
    }
    if (out.result == SpfResult::temperror && past_time_cap(ctx))
      out.reason = fmt::format("evaluation exceeded {} s", options.time_cap_seconds);
    co_return out;
  }

 private:
  SystemClock system_clock_;
};

}  // namespace

std::unique_ptr<SpfEngine> make_libspf2_engine() { return std::make_unique<Libspf2Engine>(); }

}  // namespace postseal::spf
