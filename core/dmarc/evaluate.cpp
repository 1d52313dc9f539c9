// evaluate.cpp - alignment, result, policy and disposition of one message (see evaluate.hpp).
//
// Untrusted input: From values (parsed by core/mail/address), identifiers from SPF and DKIM
// (checked with domain_name() before any DNS query), DNS answers (through Discovery). Reasons
// quote untrusted names through printable().
#include "core/dmarc/evaluate.hpp"

#include "core/mail/address.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace postseal::dmarc {
namespace {

int strictness(Policy p) { return p == Policy::reject ? 2 : p == Policy::quarantine ? 1 : 0; }

// passing_dkim_domains - the distinct d= of passing signatures, at most kMaxDkimIdentifiers.
std::vector<std::string> passing_dkim_domains(const Message& message) {
  std::vector<std::string> out;
  for (const auto& sig : message.dkim) {
    if (!sig.pass) continue;
    std::string d = to_lower(sig.d);
    if (std::find(out.begin(), out.end(), d) != out.end()) continue;
    if (out.size() == kMaxDkimIdentifiers) break;
    out.push_back(std::move(d));
  }
  return out;
}

// check_alignment - sets spf_aligned / dkim_aligned; true when some alignment is unknown.
asio::awaitable<bool> check_alignment(AuthorVerdict& v, const Message& message,
                                      Discovery& discovery) {
  bool unknown = false;
  const Record& record = v.discovery.record;
  if (message.spf_pass && !message.spf_domain.empty()) {
    Aligned a = co_await identifier_aligned(v.domain, message.spf_domain, record.aspf, discovery);
    v.spf_aligned = a == Aligned::yes;
    unknown = a == Aligned::unknown;
  }
  for (const std::string& d : passing_dkim_domains(message)) {
    Aligned a = co_await identifier_aligned(v.domain, d, record.adkim, discovery);
    if (a == Aligned::yes) {
      v.dkim_aligned = true;
      break;
    }
    unknown = unknown || a == Aligned::unknown;
  }
  co_return unknown;
}

// failing_policy - RFC 9989 4.10.1: p for the Author Domain's own record; for a subdomain np
// when it does not exist (RFC 8020), else sp, else p. nullopt: the existence test failed.
asio::awaitable<std::optional<Policy>> failing_policy(const AuthorVerdict& v,
                                                      Discovery& discovery) {
  const Record& record = v.discovery.record;
  if (v.discovery.author_record) co_return record.p;
  if (record.np) {
    Existence e = co_await discovery.exists(v.domain);
    if (e == Existence::temperror) co_return std::nullopt;
    if (e == Existence::nxdomain) co_return record.np;
  }
  co_return record.sp.value_or(record.p);
}

asio::awaitable<AuthorVerdict> evaluate_author(std::string domain, const Message& message,
                                               Discovery& discovery) {
  AuthorVerdict v;
  v.domain = domain;
  v.discovery = co_await discovery.discover_policy(domain);
  if (v.discovery.status != Status::found) {
    v.result = v.discovery.status == Status::none        ? Result::none
               : v.discovery.status == Status::temperror ? Result::temperror
                                                         : Result::permerror;
    v.reason = v.discovery.status == Status::none ? "no DMARC record" : v.discovery.detail;
    co_return v;
  }
  bool unknown = co_await check_alignment(v, message, discovery);
  if (v.spf_aligned || v.dkim_aligned) {
    v.result = Result::pass;
    co_return v;
  }
  if (unknown) {
    v.result = Result::temperror;
    v.reason = "DNS failure while checking identifier alignment";
    co_return v;
  }
  v.policy = co_await failing_policy(v, discovery);
  if (!v.policy) {
    v.result = Result::temperror;
    v.reason = fmt::format("DNS failure checking whether {} exists", v.domain);
    co_return v;
  }
  v.result = Result::fail;
  v.reason = "no aligned SPF or DKIM pass";
  v.effective = v.discovery.record.t ? lower_policy(*v.policy) : *v.policy;
  co_return v;
}

// combine - RFC 9989 11.5: fail with the strictest failing policy, else the worst error,
// else pass when one passed, else none.
void combine(Verdict& verdict, bool incomplete) {
  const AuthorVerdict* worst = nullptr;
  for (const auto& a : verdict.authors) {
    if (a.result != Result::fail) continue;
    if (!worst || strictness(*a.effective) > strictness(*worst->effective)) worst = &a;
  }
  auto first_with = [&](Result r) -> const AuthorVerdict* {
    for (const auto& a : verdict.authors) if (a.result == r) return &a;
    return nullptr;
  };
  if (!worst) worst = first_with(Result::temperror);
  if (!worst && incomplete) {
    verdict.result = Result::permerror;
    verdict.reason = fmt::format("more than {} Author Domains, not all evaluated: RFC 9989 11.5",
                                 kMaxAuthorDomains);
    return;
  }
  if (!worst) worst = first_with(Result::permerror);
  if (!worst) worst = first_with(Result::pass);
  if (!worst) worst = &verdict.authors.front();
  verdict.result = worst->result;
  verdict.header_from = worst->domain;
  verdict.policy = worst->effective;
  verdict.reason = worst->reason;
}

}  // namespace

std::string_view to_string(Result r) {
  switch (r) {
    case Result::pass: return "pass";
    case Result::fail: return "fail";
    case Result::none: return "none";
    case Result::temperror: return "temperror";
    case Result::permerror: return "permerror";
  }
  return "none";
}

std::string_view to_string(Enforce e) {
  switch (e) {
    case Enforce::policy: return "policy";
    case Enforce::quarantine_only: return "quarantine-only";
    case Enforce::monitor: return "monitor";
  }
  return "policy";
}

std::optional<Enforce> enforce_from_string(std::string_view s) {
  for (Enforce e : {Enforce::policy, Enforce::quarantine_only, Enforce::monitor}) {
    if (s == to_string(e)) return e;
  }
  return std::nullopt;
}

std::string_view to_string(Action a) {
  switch (a) {
    case Action::accept: return "accept";
    case Action::quarantine: return "quarantine";
    case Action::reject: return "reject";
    case Action::defer: return "defer";
  }
  return "accept";
}

std::string_view to_string(Override o) {
  switch (o) {
    case Override::none: return "none";
    case Override::local_policy: return "local_policy";
    case Override::forwarded: return "forwarded";
  }
  return "none";
}

asio::awaitable<Aligned> identifier_aligned(const std::string& author, std::string_view identifier,
                                            Alignment mode, Discovery& discovery) {
  auto id = domain_name(identifier);
  if (!id) co_return Aligned::no;
  if (*id == author) co_return Aligned::yes;
  if (mode == Alignment::strict) co_return Aligned::no;
  // Known Organizational Domains (the Author Domain's usually is, from its policy discovery)
  // are taken without a coroutine call.
  std::optional<OrganizationalDomain> a = discovery.known_organizational_domain(author);
  if (!a) a = co_await discovery.organizational_domain(author);
  std::optional<OrganizationalDomain> b = discovery.known_organizational_domain(*id);
  if (!b) b = co_await discovery.organizational_domain(*id);
  if (a->status == Status::temperror || b->status == Status::temperror) co_return Aligned::unknown;
  if (a->status != Status::found || b->status != Status::found) co_return Aligned::no;
  co_return a->domain == b->domain ? Aligned::yes : Aligned::no;
}

Policy lower_policy(Policy p) {
  return p == Policy::reject ? Policy::quarantine : Policy::none;
}

std::expected<std::vector<std::string>, std::string> author_domains(
    const std::vector<std::string>& from_fields) {
  if (from_fields.empty()) return std::unexpected("no From header field");
  std::vector<std::string> out;
  for (const std::string& value : from_fields) {
    auto list = mail::parse_address_list(value);
    if (!list) return std::unexpected(fmt::format("unreadable From: {}", list.error()));
    for (const auto& mailbox : list->mailboxes) {
      auto domain = domain_name(mailbox.domain);
      if (!domain) {
        return std::unexpected(fmt::format("From domain '{}' is not an ASCII DNS name",
                                           printable(mailbox.domain, 80)));
      }
      if (std::find(out.begin(), out.end(), *domain) == out.end()) out.push_back(*domain);
    }
  }
  if (out.empty()) return std::unexpected("no Author Domain in From");
  return out;
}

void decide_action(Verdict& verdict, const Options& options,
                   const std::optional<asio::ip::address>& client) {
  verdict.action = Action::accept;
  verdict.override_reason = Override::none;
  if (verdict.result == Result::temperror) {
    if (options.temperror_defer) verdict.action = Action::defer;
    return;
  }
  if (verdict.result != Result::fail || !verdict.policy || *verdict.policy == Policy::none) return;
  if (client && options.trusted_forwarders.matches(*client)) {
    verdict.override_reason = Override::forwarded;
    return;
  }
  Action wanted = *verdict.policy == Policy::reject ? Action::reject : Action::quarantine;
  switch (options.enforce) {
    case Enforce::policy: verdict.action = wanted; return;
    case Enforce::quarantine_only: verdict.action = Action::quarantine; break;
    case Enforce::monitor: verdict.action = Action::accept; break;
  }
  if (verdict.action != wanted) verdict.override_reason = Override::local_policy;
}

asio::awaitable<Verdict> evaluate(const Message& message, const Options& options,
                                  Discovery& discovery) {
  Verdict verdict;
  auto domains = author_domains(message.from_fields);
  if (!domains) {
    verdict.result = Result::permerror;
    verdict.reason = domains.error();
    co_return verdict;
  }
  bool incomplete = domains->size() > kMaxAuthorDomains;
  if (incomplete) domains->resize(kMaxAuthorDomains);
  verdict.authors.reserve(domains->size());
  for (const std::string& domain : *domains) {
    verdict.authors.push_back(co_await evaluate_author(domain, message, discovery));
  }
  combine(verdict, incomplete);
  if (verdict.header_from.empty()) verdict.header_from = domains->front();
  decide_action(verdict, options, message.client);
  co_return verdict;
}

}  // namespace postseal::dmarc
