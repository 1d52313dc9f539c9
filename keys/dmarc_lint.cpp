// dmarc_lint.cpp - judge the DMARC record that applies to a domain (see dmarc_lint.hpp).
//
// Untrusted input: DNS answers. Record text is only parsed by core/dmarc/record (its limits)
// and quoted through printable(); report destinations are checked with dmarc::domain_name()
// before any query.
#include "keys/dmarc_lint.hpp"

#include "core/dmarc/evaluate.hpp"
#include "core/util/config.hpp"
#include "core/util/text.hpp"
#include "signer/filter/signing_table.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace postseal::keys {
namespace {

// kQuoteOctets - how much of a record a finding quotes.
constexpr std::size_t kQuoteOctets = 120;

void add(DmarcLint& lint, Severity severity, std::string tag, std::string text) {
  lint.findings.push_back({severity, std::move(tag), std::move(text)});
}

// severity_of - which parser notes a Domain Owner has to fix.
Severity severity_of(dmarc::NoteKind kind) {
  switch (kind) {
    case dmarc::NoteKind::removed_tag:
    case dmarc::NoteKind::unknown_tag: return Severity::info;
    default: return Severity::problem;
  }
}

// own_records - RFC 9989 4.10: what sits at _dmarc.DOMAIN itself (several DMARC records are
// all discarded; text that nearly is a record is not one).
void own_records(DmarcLint& lint, const dns::Answer& answer, const std::string& name) {
  if (answer.temporary()) {
    add(lint, Severity::problem, "record",
        fmt::format("{}: DNS error ({}); receivers answer dmarc=temperror", name,
                    dns::to_string(answer.rcode)));
    return;
  }
  std::size_t dmarc = 0;
  for (const auto& r : answer.records) {
    if (r.type != dns::RrType::txt) continue;
    std::string text = r.text();
    if (dmarc::is_dmarc_record(text)) {
      ++dmarc;
    } else if (to_lower(text).find("dmarc1") != std::string::npos) {
      add(lint, Severity::problem, "v",
          fmt::format("{}: \"{}\" is not a DMARC record: it must start with v=DMARC1 (exact "
                      "case) as its first tag, RFC 9989 4.7",
                      name, printable(text, kQuoteOctets)));
    }
  }
  if (dmarc > 1) {
    add(lint, Severity::problem, "record",
        fmt::format("{}: {} DMARC records; receivers discard them all (RFC 9989 4.10): keep "
                    "exactly one",
                    name, dmarc));
  }
}

void discovery_findings(DmarcLint& lint, dmarc::Mode mode) {
  const dmarc::PolicyDiscovery& d = lint.discovery;
  const std::string& domain = lint.domain;
  switch (d.status) {
    case dmarc::Status::none:
      add(lint, Severity::problem, "discovery",
          fmt::format("no DMARC record applies to {} ({}): receivers give dmarc=none and apply "
                      "no policy; publish one at _dmarc.{}, e.g. \"v=DMARC1; p=none; "
                      "rua=mailto:dmarc-reports@{}\"",
                      domain, d.detail, domain, domain));
      return;
    case dmarc::Status::temperror:
      add(lint, Severity::problem, "discovery",
          fmt::format("DNS error during policy discovery: {}", printable(d.detail)));
      return;
    case dmarc::Status::permerror:
      add(lint, Severity::problem, "discovery",
          fmt::format("the record that applies is unusable: {}", printable(d.detail)));
      return;
    case dmarc::Status::found: break;
  }
  const dmarc::Record& r = d.record;
  if (d.author_record) {
    add(lint, Severity::ok, "discovery",
        fmt::format("_dmarc.{} is {}'s own record: p={} applies to mail from {}", domain, domain,
                    to_string(r.p), domain));
    return;
  }
  std::string where = r.psd == dmarc::Psd::y     ? "its Public Suffix Domain (psd=y)"
                      : mode == dmarc::Mode::psl ? "its Organizational Domain (public suffix list)"
                                                 : "its Organizational Domain (tree walk)";
  std::string applies =
      r.sp ? fmt::format("sp={}", to_string(*r.sp)) : fmt::format("p={} (no sp=)", to_string(r.p));
  if (r.np) applies += fmt::format(", or np={} while {} does not exist", to_string(*r.np), domain);
  add(lint, Severity::ok, "discovery",
      fmt::format("{} has no record of its own; the policy comes from _dmarc.{}, {}: {} applies "
                  "to mail from {} (RFC 9989 4.10.1)",
                  domain, d.policy_domain, where, applies, domain));
}

void tag_findings(DmarcLint& lint) {
  const dmarc::Record& r = lint.discovery.record;
  for (const dmarc::Note& note : r.notes) add(lint, severity_of(note.kind), note.tag, note.text);
  if (lint.discovery.status != dmarc::Status::found) return;
  if (!r.p_present) {
    add(lint, Severity::info, "p", "p= absent: treated as p=none (RFC 9989 4.7)");
  } else if (r.p == dmarc::Policy::none && lint.discovery.author_record) {
    add(lint, Severity::info, "p", "p=none: monitoring only, receivers act on no failure");
  }
  if (r.t) {
    add(lint, Severity::info, "t",
        "t=y: test mode, receivers lower the policy one level (RFC 9989 4.7)");
  }
  if (r.rua.empty()) {
    add(lint, Severity::info, "rua", "no rua=: nobody sends you aggregate reports");
  }
}

// mailto_domain - the checked domain of a mailto: URI ("mailto:a@b.example?subject=x"), if any.
std::optional<std::string> mailto_domain(std::string_view uri) {
  if (uri.size() < 7 || !iequals(uri.substr(0, 7), "mailto:")) return std::nullopt;
  uri.remove_prefix(7);
  uri = uri.substr(0, uri.find('?'));
  std::size_t at = uri.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  return dmarc::domain_name(uri.substr(at + 1));
}

// destination_findings - RFC 9990: reports for POLICYDOMAIN go to another Organizational
// Domain only when POLICYDOMAIN._report._dmarc.DEST holds a v=DMARC1 record.
asio::awaitable<void> destination_findings(DmarcLint& lint, dns::Resolver& resolver,
                                           dmarc::Discovery& discovery) {
  if (lint.discovery.status != dmarc::Status::found) co_return;
  const std::string& policy_domain = lint.discovery.policy_domain;
  dmarc::OrganizationalDomain own = co_await discovery.organizational_domain(policy_domain);
  std::vector<std::string> asked;
  for (const auto* list : {&lint.discovery.record.rua, &lint.discovery.record.ruf}) {
    std::string tag = list == &lint.discovery.record.rua ? "rua" : "ruf";
    for (const std::string& uri : *list) {
      auto dest = mailto_domain(uri);
      if (!dest) {
        add(lint, Severity::info, tag,
            fmt::format("{}: not a mailto: URI with a domain; receivers send reports by mail",
                        printable(uri, kQuoteOctets)));
        continue;
      }
      if (std::find(asked.begin(), asked.end(), *dest) != asked.end()) continue;
      asked.push_back(*dest);
      dmarc::OrganizationalDomain theirs = co_await discovery.organizational_domain(*dest);
      if (own.status == dmarc::Status::found && theirs.status == dmarc::Status::found &&
          own.domain == theirs.domain) {
        continue;
      }
      std::string name = fmt::format("{}._report._dmarc.{}", policy_domain, *dest);
      if (name.size() > dmarc::kMaxDomainOctets) continue;
      dns::Answer answer = co_await resolver.lookup(name, dns::RrType::txt);
      std::size_t records = 0;
      for (const auto& rr : answer.records) {
        if (rr.type == dns::RrType::txt && dmarc::is_dmarc_record(rr.text())) ++records;
      }
      lint.trace.push_back({name + " TXT", answer.temporary() ? "temporary error"
                                           : records > 0      ? "v=DMARC1 record"
                                                              : "no v=DMARC1 record"});
      if (records == 1) {
        add(lint, Severity::ok, tag,
            fmt::format("{} accepts reports for {} ({} TXT v=DMARC1)", *dest, policy_domain, name));
      } else {
        add(lint, Severity::problem, tag,
            fmt::format("{} is another Organizational Domain and {} has {}: receivers send it no "
                        "reports (RFC 9990, external destinations)",
                        *dest, name,
                        answer.temporary() ? "no answer (DNS error)"
                        : records == 0     ? "no v=DMARC1 record"
                                           : "several v=DMARC1 records"));
      }
    }
  }
}

// alignment_findings - RFC 9989 3.2.10 / 4.4 under the record's adkim: does the d= our signer
// uses for mail from the domain align with it?
asio::awaitable<void> alignment_findings(DmarcLint& lint, const std::vector<SignerDomain>& signers,
                                         dmarc::Discovery& discovery) {
  if (signers.empty()) {
    add(lint, Severity::info, "adkim",
        "no [[signer.domain]] in the config: our signer's d= alignment not checked");
    co_return;
  }
  std::vector<signer::DomainPolicy> policies;
  for (const SignerDomain& s : signers) {
    signer::DomainPolicy p;
    p.domain = s.name;
    p.subdomains = s.subdomains;
    policies.push_back(std::move(p));
  }
  signer::SigningTable table(std::move(policies));
  const signer::DomainPolicy* policy = table.lookup(lint.domain);
  if (policy == nullptr) {
    add(lint, Severity::problem, "adkim",
        fmt::format("our signer does not sign mail from {} (no signer.domain for it, nor for a "
                    "parent with subdomains = true): no aligned DKIM signature, DMARC then rests "
                    "on SPF alone",
                    lint.domain));
    co_return;
  }
  dmarc::Alignment mode = lint.discovery.record.adkim;  // default r when no record
  std::string d = policy->domain;
  dmarc::Aligned aligned = co_await dmarc::identifier_aligned(lint.domain, d, mode, discovery);
  std::string how = fmt::format("adkim={}", to_string(mode));
  if (aligned == dmarc::Aligned::unknown) {
    add(lint, Severity::problem, "adkim",
        fmt::format("signer d={}: alignment with {} unknown (DNS error)", d, lint.domain));
  } else if (aligned == dmarc::Aligned::yes) {
    add(lint, Severity::ok, "adkim",
        d == lint.domain
            ? fmt::format("signer d={} aligns with From {} ({}; strict and relaxed)", d,
                          lint.domain, how)
            : fmt::format("signer d={} aligns with From {} ({}: same Organizational Domain; "
                          "adkim=s would not align)",
                          d, lint.domain, how));
  } else {
    add(lint, Severity::problem, "adkim",
        mode == dmarc::Alignment::strict
            ? fmt::format("signer d={} does not align with From {} ({}: d= must be {} itself); "
                          "add a [[signer.domain]] named {}",
                          d, lint.domain, how, lint.domain, lint.domain)
            : fmt::format("signer d={} does not align with From {} ({}: different "
                          "Organizational Domains)",
                          d, lint.domain, how));
  }
}

}  // namespace

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::ok: return "ok";
    case Severity::info: return "info";
    case Severity::problem: return "problem";
  }
  return "info";
}

bool DmarcLint::has_problem() const {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.severity == Severity::problem; });
}

std::vector<SignerDomain> signer_domains(const config::File& file) {
  std::vector<SignerDomain> out;
  for (const toml::table* t : file.tables("signer.domain")) {
    std::string name = to_lower(config::table_string(*t, "name", "signer.domain[].name"));
    if (name.empty()) continue;
    out.push_back({name, config::table_boolean(*t, "subdomains", "signer.domain[].subdomains")});
  }
  return out;
}

asio::awaitable<DmarcLint> lint_dmarc(dns::Resolver& resolver, dmarc::Mode mode,
                                      const dmarc::PublicSuffixList* psl, std::string domain,
                                      std::vector<SignerDomain> signers) {
  DmarcLint lint;
  lint.domain = domain;
  std::string own_name = "_dmarc." + domain;
  if (own_name.size() <= dmarc::kMaxDomainOctets) {
    dns::Answer own = co_await resolver.lookup(own_name, dns::RrType::txt);
    own_records(lint, own, own_name);
  }
  dmarc::Discovery discovery(resolver, mode, psl, dmarc::Trace::on);
  lint.discovery = co_await discovery.discover_policy(domain);
  discovery_findings(lint, mode);
  tag_findings(lint);
  co_await destination_findings(lint, resolver, discovery);
  co_await alignment_findings(lint, signers, discovery);
  std::vector<dmarc::TraceStep> trace = discovery.trace();
  trace.insert(trace.end(), lint.trace.begin(), lint.trace.end());
  lint.trace = std::move(trace);
  co_return lint;
}

}  // namespace postseal::keys
