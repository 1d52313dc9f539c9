// decider.cpp - SPF of HELO and MAIL FROM turned into a verdict (see decider.hpp).
#include "verifier/decision/decider.hpp"

#include "core/metrics/events.hpp"
#include "core/metrics/stage.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"
#include "verifier/auth_results.hpp"
#include "verifier/decision/ptr_check.hpp"

#include <fmt/format.h>

namespace postseal::decision {

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::prepend: return "prepend";
    case Verdict::reject: return "reject";
    case Verdict::defer_if_permit: return "defer_if_permit";
  }
  return "prepend";
}

SpfChecker engine_checker(spf::SpfEngine& engine, dns::Resolver& resolver, spf::SpfOptions options) {
  return [&engine, &resolver, options = std::move(options)](const spf::SpfQuery& q) {
    return engine.check_host(resolver, q, options);
  };
}

Decider::Decider(Options options, SpfChecker checker, dns::Resolver* resolver, const Clock& clock)
    : options_(std::move(options)),
      checker_(std::move(checker)),
      resolver_(resolver),
      cache_(clock, options_.cache_ttl_seconds, options_.cache_entries) {}

spf::SessionIdentities Decider::identities(const Transaction& t) const {
  return spf::SessionIdentities{t.helo, t.sender, t.client_address, options_.authserv_id};
}

asio::awaitable<IdentityCheck> Decider::check(std::string_view identity, const spf::SpfQuery& q) {
  IdentityCheck c;
  c.checked = true;
  auto key = ResultCache::key(identity, q);
  if (auto hit = cache_.find(key)) {
    c.cached = true;
    c.outcome = *hit;
  } else {
    c.outcome = co_await checker_(q);
    cache_.store(key, c.outcome);
  }
  metrics::count_spf(spf::to_string(c.outcome.result));
  co_return c;
}

// name_whitelisted - the validated client name lies in one of the PTR-whitelisted domains.
static bool name_whitelisted(std::string_view name, const std::vector<std::string>& domains) {
  for (const auto& d : domains)
    if (domain_matches(name, d)) return true;
  return false;
}

// helo_whitelisted - the HELO name is one of helo_whitelist (exact, case-insensitive; the
// forward check against the client address follows).
static bool helo_whitelisted(std::string_view helo, const std::vector<std::string>& names) {
  while (!helo.empty() && helo.back() == '.') helo.remove_suffix(1);
  for (const auto& n : names)
    if (iequals(helo, n)) return true;
  return false;
}

asio::awaitable<std::string> Decider::skip_reason(const Transaction& t) {
  const auto& ip = t.client_address;
  if (net::is_localhost(ip)) co_return std::string(kSkipLocalhost);
  if (options_.skip_authenticated && !t.sasl_username.empty()) co_return std::string(kSkipAuthenticated);
  if (options_.skip_addresses.matches(ip)) co_return "SPF skipped - client address in skip_addresses";
  if (options_.whitelist.matches(ip)) co_return "SPF skipped - whitelisted client address";
  if (options_.trusted_forwarders.matches(ip))
    co_return "SPF skipped - mail relayed by a trusted forwarder or backup MX";
  if (resolver_ && helo_whitelisted(t.helo, options_.helo_whitelist)) {
    // (no co_await inside && or ?: : g++ 12 miscompiles it)
    bool forward_match = co_await name_has_address(*resolver_, t.helo, ip);
    if (forward_match)
      co_return fmt::format("SPF skipped - HELO name {} whitelisted", printable(t.helo, 100));
  }
  if (!options_.domain_whitelist_ptr.empty()) {
    std::vector<std::string> names;
    if (!t.client_name.empty() && t.client_name != "unknown") names.push_back(t.client_name);
    else if (t.client_name.empty() && resolver_) names = co_await validated_names(*resolver_, ip);
    for (const auto& n : names)
      if (name_whitelisted(n, options_.domain_whitelist_ptr))
        co_return fmt::format("SPF skipped - client host name {} whitelisted", printable(n, 100));
  }
  for (const auto& domain : options_.domain_whitelist) {
    spf::SpfQuery q{ip, "postmaster@" + domain, t.helo, options_.authserv_id, domain};
    auto c = co_await check("whitelist", q);
    if (c.outcome.result == spf::SpfResult::pass)
      co_return fmt::format("SPF skipped - client authorized by whitelisted domain {}", domain);
  }
  co_return std::string();
}

SpfReport Decider::report(spf::Identity id, const Transaction& t, const spf::SpfOutcome& o) const {
  return SpfReport{id, o, spf::normalize_ip(t.client_address).to_string(), t.sender, t.helo,
                   options_.hide_receiver ? std::string(kHiddenReceiver) : options_.authserv_id};
}

std::string Decider::header_for(spf::Identity id, const Transaction& t, const spf::SpfOutcome& o) const {
  if (options_.header_type == HeaderType::received_spf) return received_spf_field(report(id, t, o));
  verifier::SpfResinfo r;
  r.result = o.result;
  r.reason = o.result == spf::SpfResult::pass ? "" : o.reason;
  if (id == spf::Identity::mailfrom) r.mailfrom = t.sender;
  else r.helo = t.helo;
  return verifier::render_authentication_results(verifier::AuthResults{options_.authserv_id, {r}, {}});
}

// rejects - whether `policy` refuses result `r`.
static bool rejects(RejectPolicy policy, spf::SpfResult r, bool null_sender) {
  using R = spf::SpfResult;
  switch (policy) {
    case RejectPolicy::fail: return r == R::fail;
    case RejectPolicy::softfail: return r == R::fail || r == R::softfail;
    case RejectPolicy::not_pass:
      return r == R::fail || r == R::softfail || r == R::neutral || r == R::permerror;
    case RejectPolicy::null: return null_sender && r == R::fail;
    case RejectPolicy::none:
    case RejectPolicy::no_check: return false;
  }
  return false;
}

bool Decider::judge(RejectPolicy policy, const IdentityCheck& c, bool null_sender, spf::Identity id,
                    const Transaction& t, Decision& d) const {
  if (!c.checked || policy == RejectPolicy::none || policy == RejectPolicy::no_check) return false;
  auto r = c.outcome.result;
  bool reject = rejects(policy, r, null_sender) ||
                (r == spf::SpfResult::permerror && options_.permerror_reject);
  bool defer = !reject && r == spf::SpfResult::temperror && options_.temperror_defer;
  if (!reject && !defer) return false;
  auto rep = report(id, t, c.outcome);
  std::string reply = reject ? "550 " + reject_reply_text(rep) : defer_reply_text(rep);
  if (options_.test_only) {
    log::info("{}: test_only: would {}: {}", t.queue_id.empty() ? "NOQUEUE" : t.queue_id,
              reject ? "reject" : "defer", reply);
    return false;
  }
  d.verdict = reject ? Verdict::reject : Verdict::defer_if_permit;
  d.reply = std::move(reply);
  return true;
}

// reason_text - reason_message filled in for `report`.
std::string Decider::reason_text(const SpfReport& r, std::string_view rejectdefer) const {
  auto domain = r.outcome.domain.empty() ? std::string(spf::sender_domain(r.sender)) : r.outcome.domain;
  return format_reason_message(options_.reason_message, rejectdefer, spf::to_string(r.outcome.result),
                               printable(domain, 120), spf::to_string(r.identity), r.client_ip);
}

std::string Decider::reject_reply_text(const SpfReport& r) const {
  if (options_.reason_message.empty()) return reject_text(r);
  auto code = r.outcome.result == spf::SpfResult::permerror ? "5.7.24" : "5.7.23";
  return fmt::format("{} {}", code, reason_text(r, "rejected"));
}

std::string Decider::defer_reply_text(const SpfReport& r) const {
  if (options_.reason_message.empty()) return defer_text(r);
  return reason_text(r, "deferred");
}

asio::awaitable<Decision> Decider::decide(const Transaction& t) {
  metrics::StageTimer timer(metrics::Stage::spf);
  Decision d;
  d.skipped = co_await skip_reason(t);
  if (!d.skipped.empty()) {
    d.header = "X-Comment: " + d.skipped;
    co_return d;
  }
  bool null_sender = t.sender.empty();
  if (options_.helo_reject != RejectPolicy::no_check) {
    if (spf::valid_domain(t.helo)) {
      d.helo = co_await check("helo", spf::helo_query(identities(t)));
    } else {
      d.helo.checked = true;
      d.helo.outcome.result = spf::SpfResult::none;
      d.helo.outcome.reason = "HELO name is not a domain name";
      d.helo.outcome.domain = t.helo;
      metrics::count_spf(spf::to_string(d.helo.outcome.result));
    }
    if (judge(options_.helo_reject, d.helo, null_sender, spf::Identity::helo, t, d)) co_return d;
  }
  if (!null_sender && options_.mail_from_reject != RejectPolicy::no_check) {
    d.mail_from = co_await check("mfrom", spf::mailfrom_query(identities(t)));
    if (judge(options_.mail_from_reject, d.mail_from, false, spf::Identity::mailfrom, t, d)) co_return d;
    d.header = header_for(spf::Identity::mailfrom, t, d.mail_from.outcome);
  } else if (d.helo.checked) {
    d.header = header_for(spf::Identity::helo, t, d.helo.outcome);
  } else {
    d.header = "X-Comment: SPF not checked - no identity enabled by local policy";
  }
  co_return d;
}

}  // namespace postseal::decision
