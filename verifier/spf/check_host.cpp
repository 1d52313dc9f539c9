// check_host.cpp - the RFC 7208 evaluator: check_host() as a coroutine over dns::Resolver.
//
// Input: the query (client IP, sender, HELO: untrusted) and DNS answers (untrusted). Limits
// (spf.hpp): kMaxDnsTerms terms across include/redirect, kMaxVoidLookups void answers,
// kMaxMxNames MX names, kMaxPtrNames PTR names, kMaxRecursion nesting, and the time cap,
// checked around every DNS query. Domains are validated (RFC 7208 4.3) before lookups.
#include "core/util/text.hpp"
#include "verifier/spf/macro.hpp"
#include "verifier/spf/record.hpp"
#include "verifier/spf/spf.hpp"

#include <fmt/format.h>

#include <algorithm>

// GCC 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames at -O2
// (awaitable_frame_base has its own operator new/delete pair).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#include <expected>

namespace postseal::spf {
namespace {

// Verdict - the result of check_host() on one domain (top level, include or redirect).
struct Verdict {
  SpfResult result = SpfResult::none;
  std::string mechanism;
  std::string reason;
  std::string domain;
  std::string explanation;
};

Verdict error(SpfResult result, std::string reason) {
  Verdict v;
  v.result = result;
  v.reason = std::move(reason);
  return v;
}

// Match - a mechanism matched, did not, or stopped the evaluation with an error.
struct Match {
  bool matched = false;
  std::optional<Verdict> stop;
};

SpfResult result_of(Qualifier q) {
  switch (q) {
    case Qualifier::fail: return SpfResult::fail;
    case Qualifier::softfail: return SpfResult::softfail;
    case Qualifier::neutral: return SpfResult::neutral;
    case Qualifier::pass: return SpfResult::pass;
  }
  return SpfResult::neutral;
}

bool in_network(const asio::ip::address& ip, const asio::ip::address& net, int cidr4, int cidr6) {
  if (ip.is_v4() != net.is_v4()) return false;
  const int bits = ip.is_v4() ? cidr4 : cidr6;
  auto compare = [bits](const auto& a, const auto& b) {
    for (int i = 0; i < bits; ++i) {
      const auto byte = static_cast<std::size_t>(i / 8);
      const int shift = 7 - i % 8;
      if (((a[byte] >> shift) & 1) != ((b[byte] >> shift) & 1)) return false;
    }
    return true;
  };
  if (ip.is_v4()) return compare(ip.to_v4().to_bytes(), net.to_v4().to_bytes());
  return compare(ip.to_v6().to_bytes(), net.to_v6().to_bytes());
}

std::string strip_dot(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return std::string(name);
}

bool same_or_sub(std::string_view name, std::string_view domain) {
  const std::string n = to_lower(strip_dot(name));
  const std::string d = to_lower(strip_dot(domain));
  return n == d || (n.size() > d.size() && n.ends_with(d) && n[n.size() - d.size() - 1] == '.');
}

class Evaluation {
 public:
  Evaluation(dns::Resolver& resolver, const SpfQuery& query, const SpfOptions& options)
      : resolver_(resolver), options_(options), clock_(options.clock ? options.clock : &system_clock_) {
    start_ = clock_->now();
    ctx_.ip = normalize_ip(query.ip);
    const std::string_view domain = query.domain.empty() ? sender_domain(query.sender) : query.domain;
    const auto at = query.sender.rfind('@');
    ctx_.local_part = at == std::string::npos || at == 0 ? "postmaster" : query.sender.substr(0, at);
    ctx_.sender_domain = at == std::string::npos ? std::string(domain) : query.sender.substr(at + 1);
    ctx_.sender = ctx_.local_part + "@" + ctx_.sender_domain;
    ctx_.helo = query.helo;
    ctx_.receiver = query.receiver;
    ctx_.timestamp = start_;
    domain_ = std::string(domain);
  }

  asio::awaitable<SpfOutcome> run() {
    Verdict v = co_await evaluate(domain_, 0, true);
    SpfOutcome out;
    out.result = v.result;
    out.mechanism = std::move(v.mechanism);
    out.reason = std::move(v.reason);
    out.domain = v.domain.empty() ? domain_ : std::move(v.domain);
    out.explanation = std::move(v.explanation);
    out.dns_terms = terms_;
    out.void_lookups = voids_;
    co_return out;
  }

 private:
  void trace(std::string_view line) const {
    if (options_.trace) options_.trace(line);
  }

  std::optional<Verdict> over_time() const {
    if (clock_->now() - start_ > options_.time_cap_seconds)
      return error(SpfResult::temperror, fmt::format("evaluation exceeded {} s", options_.time_cap_seconds));
    return std::nullopt;
  }

  // query - one DNS lookup with the time cap, temperror on DNS failure, void counting.
  asio::awaitable<std::expected<dns::Answer, Verdict>> query(std::string name, dns::RrType type,
                                                             bool counts_void) {
    if (auto late = over_time()) co_return std::unexpected(*late);
    dns::Answer answer = co_await resolver_.lookup(name, type);
    if (options_.trace) trace(fmt::format("dns {} {} -> {} ({} records)", to_string(type), printable(name),
                      to_string(answer.rcode), answer.records.size()));
    if (auto late = over_time()) co_return std::unexpected(*late);
    if (answer.temporary())
      co_return std::unexpected(error(SpfResult::temperror,
          fmt::format("DNS {} for {} {}", to_string(answer.rcode), to_string(type), printable(name))));
    if (counts_void && answer.records.empty()) {
      ++voids_;
      if (options_.trace) trace(fmt::format("void lookup {} of {}", voids_, options_.max_void_lookups));
      if (voids_ > options_.max_void_lookups)
        co_return std::unexpected(error(SpfResult::permerror,
            fmt::format("more than {} void lookups", options_.max_void_lookups)));
    }
    co_return answer;
  }

  std::optional<Verdict> count_term(std::string_view term) {
    ++terms_;
    if (options_.trace) trace(fmt::format("term {} of {}: {}", terms_, options_.max_dns_terms, printable(term)));
    if (terms_ > options_.max_dns_terms)
      return error(SpfResult::permerror, fmt::format("more than {} DNS-querying terms", options_.max_dns_terms));
    return std::nullopt;
  }

  dns::RrType address_type() const { return ctx_.ip.is_v4() ? dns::RrType::a : dns::RrType::aaaa; }

  // address_matches - whether `name` has an address of the client in the given networks.
  asio::awaitable<std::expected<bool, Verdict>> address_matches(std::string name, int c4, int c6,
                                                                bool counts_void) {
    auto answer = co_await query(std::move(name), address_type(), counts_void);
    if (!answer) co_return std::unexpected(answer.error());
    for (const auto& r : answer->records)
      if (in_network(ctx_.ip, r.address, c4, c6)) co_return true;
    co_return false;
  }

  // validated_names - PTR names of the client whose addresses include it (RFC 7208 5.5).
  asio::awaitable<std::vector<std::string>> validated_names(std::string_view domain, bool counts_void,
                                                            bool& stopped, Verdict& stop) {
    std::vector<std::string> out;
    auto ptr = co_await query(reverse_name(ctx_.ip), dns::RrType::ptr, counts_void);
    if (!ptr) {
      if (ptr.error().result == SpfResult::permerror || over_time()) { stopped = true; stop = ptr.error(); }
      co_return out;
    }
    std::vector<std::string> names;
    for (const auto& r : ptr->records) {
      if (names.size() >= static_cast<std::size_t>(kMaxPtrNames)) break;
      names.push_back(strip_dot(r.name));
    }
    // Names in the target domain first (RFC 7208 5.5 suggests so; %{p} prefers them).
    std::stable_partition(names.begin(), names.end(), [&](const auto& n) { return same_or_sub(n, domain); });
    for (const auto& name : names) {
      if (!valid_domain(name)) continue;
      auto ok = co_await address_matches(name, 32, 128, false);
      if (ok && *ok) out.push_back(name);
      if (auto late = over_time()) { stopped = true; stop = *late; co_return out; }
    }
    co_return out;
  }

  // resolve_p - fills %{p} (RFC 7208 7.3) once, if `text` uses it.
  asio::awaitable<std::optional<Verdict>> resolve_p(std::string_view text, const std::string& current) {
    if (!uses_p_macro(text) || !ctx_.validated.empty()) co_return std::nullopt;
    bool stopped = false;
    Verdict stop;
    auto names = co_await validated_names(current, false, stopped, stop);
    if (stopped) co_return stop;
    ctx_.validated = names.empty() ? "unknown" : names.front();
    co_return std::nullopt;
  }

  // target - the domain a mechanism or modifier names, macro-expanded (or the current one).
  asio::awaitable<std::expected<std::string, Verdict>> target(const std::string& spec,
                                                              const std::string& current) {
    if (spec.empty()) co_return current;
    if (auto stop = co_await resolve_p(spec, current)) co_return std::unexpected(*stop);
    ctx_.domain = current;
    auto name = expand_domain(spec, ctx_);
    if (!name) co_return std::unexpected(error(SpfResult::permerror, name.error()));
    co_return *name;
  }

  asio::awaitable<Match> match(const Mechanism& m, const std::string& domain, int depth) {
    if (m.kind == MechanismKind::all) co_return Match{true, {}};
    if (m.kind == MechanismKind::ip4 || m.kind == MechanismKind::ip6)
      co_return Match{in_network(ctx_.ip, m.network, m.cidr4, m.cidr6), {}};
    if (auto stop = count_term(m.text)) co_return Match{false, stop};
    auto name = co_await target(m.domain_spec, domain);
    if (!name) co_return Match{false, name.error()};
    if (!valid_domain(*name)) {
      if (options_.trace) trace(fmt::format("invalid domain '{}': no match", printable(*name)));
      co_return Match{false, {}};
    }
    switch (m.kind) {
      case MechanismKind::include: co_return co_await match_include(*name, depth);
      case MechanismKind::a: co_return to_match(co_await address_matches(*name, m.cidr4, m.cidr6, true));
      case MechanismKind::mx: co_return co_await match_mx(m, *name);
      case MechanismKind::ptr: co_return co_await match_ptr(*name);
      case MechanismKind::exists: {
        auto answer = co_await query(*name, dns::RrType::a, true);
        if (!answer) co_return Match{false, answer.error()};
        co_return Match{!answer->records.empty(), {}};
      }
      default: co_return Match{false, {}};
    }
  }

  static Match to_match(std::expected<bool, Verdict> r) {
    if (!r) return Match{false, r.error()};
    return Match{*r, {}};
  }

  asio::awaitable<Match> match_include(const std::string& name, int depth) {
    Verdict v = co_await evaluate(name, depth + 1, false);
    switch (v.result) {
      case SpfResult::pass: co_return Match{true, {}};
      case SpfResult::fail:
      case SpfResult::softfail:
      case SpfResult::neutral: co_return Match{false, {}};
      case SpfResult::temperror:
      case SpfResult::permerror: co_return Match{false, v};
      case SpfResult::none: break;
    }
    co_return Match{false, error(SpfResult::permerror, fmt::format("include:{} has no SPF record", printable(name)))};
  }

  asio::awaitable<Match> match_mx(const Mechanism& m, const std::string& name) {
    auto mx = co_await query(name, dns::RrType::mx, true);
    if (!mx) co_return Match{false, mx.error()};
    if (mx->records.size() > static_cast<std::size_t>(kMaxMxNames))
      co_return Match{false, error(SpfResult::permerror, fmt::format("more than {} MX names at {}", kMaxMxNames, printable(name)))};
    for (const auto& r : mx->records) {
      const std::string host = strip_dot(r.name);
      if (!valid_domain(host)) continue;
      auto ok = co_await address_matches(host, m.cidr4, m.cidr6, false);
      if (!ok) co_return Match{false, ok.error()};
      if (*ok) co_return Match{true, {}};
    }
    co_return Match{false, {}};
  }

  asio::awaitable<Match> match_ptr(const std::string& name) {
    bool stopped = false;
    Verdict stop;
    auto names = co_await validated_names(name, true, stopped, stop);
    if (stopped) co_return Match{false, stop};
    for (const auto& n : names)
      if (same_or_sub(n, name)) co_return Match{true, {}};
    co_return Match{false, {}};
  }

  // record_text - the one v=spf1 record of a domain (RFC 7208 4.4, 4.5).
  asio::awaitable<std::expected<std::string, Verdict>> record_text(const std::string& domain, int depth) {
    if (depth == 0 && !options_.record_override.empty()) co_return options_.record_override;
    auto answer = co_await query(domain, dns::RrType::txt, false);
    if (!answer) co_return std::unexpected(answer.error());
    std::vector<std::string> found;
    for (const auto& r : answer->records) {
      std::string text = r.text();
      if (is_spf_record(text)) found.push_back(std::move(text));
    }
    if (found.size() > 1)
      co_return std::unexpected(error(SpfResult::permerror, fmt::format("{} has more than one v=spf1 record", printable(domain))));
    if (found.empty())
      co_return std::unexpected(error(SpfResult::none, fmt::format("{} has no SPF record", printable(domain))));
    co_return std::move(found.front());
  }

  // explain - the exp= text for a fail (RFC 7208 6.2); empty if there is none or it is bad.
  asio::awaitable<std::string> explain(const Record& record, const std::string& domain) {
    if (!record.exp) co_return std::string();
    auto name = co_await target(*record.exp, domain);
    if (!name || !valid_domain(*name)) co_return std::string();
    if (over_time()) co_return std::string();
    dns::Answer answer = co_await resolver_.lookup(*name, dns::RrType::txt);
    if (options_.trace) trace(fmt::format("dns TXT {} -> {} ({} records) [exp]", printable(*name), to_string(answer.rcode), answer.records.size()));
    if (answer.records.size() != 1) co_return std::string();
    const std::string raw = answer.records.front().text();
    if (auto stop = co_await resolve_p(raw, domain)) co_return std::string();
    ctx_.domain = domain;
    auto text = expand(raw, ctx_, MacroMode::explanation);
    if (!text) co_return std::string();
    co_return printable(*text, kMaxExplanationLength);
  }

  asio::awaitable<Verdict> evaluate(std::string domain, int depth, bool want_exp) {
    Verdict v = co_await evaluate_inner(domain, depth, want_exp);
    if (v.domain.empty()) v.domain = strip_dot(domain);
    co_return v;
  }

  asio::awaitable<Verdict> evaluate_inner(const std::string& domain, int depth, bool want_exp) {
    if (depth > kMaxRecursion) co_return error(SpfResult::permerror, "include/redirect nested too deeply");
    if (!valid_domain(domain))
      co_return error(SpfResult::none, fmt::format("'{}' is not a valid domain", printable(domain)));
    auto text = co_await record_text(domain, depth);
    if (!text) co_return text.error();
    auto record = parse_record(*text);
    if (!record) co_return error(SpfResult::permerror, record.error());
    for (const auto& m : record->mechanisms) {
      Match r = co_await match(m, domain, depth);
      if (r.stop) co_return *r.stop;
      if (!r.matched) continue;
      Verdict v;
      v.result = result_of(m.qualifier);
      v.mechanism = m.text;
      v.domain = strip_dot(domain);
      if (v.result == SpfResult::fail && want_exp) v.explanation = co_await explain(*record, domain);
      co_return v;
    }
    if (record->redirect) {
      if (auto stop = count_term("redirect=" + *record->redirect)) co_return *stop;
      auto name = co_await target(*record->redirect, domain);
      if (!name) co_return name.error();
      Verdict v = co_await evaluate(*name, depth + 1, want_exp);
      if (v.result == SpfResult::none)
        co_return error(SpfResult::permerror, fmt::format("redirect={} has no SPF record", printable(*name)));
      co_return v;
    }
    Verdict v;
    v.result = SpfResult::neutral;
    v.mechanism = "default";
    co_return v;
  }

  dns::Resolver& resolver_;
  const SpfOptions& options_;
  SystemClock system_clock_;
  const Clock* clock_;
  std::int64_t start_ = 0;
  MacroContext ctx_;
  std::string domain_;
  int terms_ = 0;
  int voids_ = 0;
};

}  // namespace

asio::awaitable<SpfOutcome> check_host(dns::Resolver& resolver, const SpfQuery& query,
                                       const SpfOptions& options) {
  Evaluation evaluation(resolver, query, options);
  co_return co_await evaluation.run();
}

asio::awaitable<SpfOutcome> check_host(dns::Resolver& resolver, const SpfQuery& query) {
  static const SpfOptions defaults;
  co_return co_await check_host(resolver, query, defaults);
}

}  // namespace postseal::spf
