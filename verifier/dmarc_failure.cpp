// dmarc_failure.cpp - failure report jobs of one message (see dmarc_failure.hpp).
#include "verifier/dmarc_failure.hpp"

#include "core/util/text.hpp"

#include <algorithm>

namespace postseal::verifier {
namespace {

using dmarc_report::MechanismOutcome;

std::vector<dmarc_report::HeaderView> header_views(const std::vector<mail::HeaderField>& fields) {
  std::vector<dmarc_report::HeaderView> out;
  out.reserve(fields.size());
  for (const auto& f : fields) out.push_back({f.name(), f.value()});
  return out;
}

// header_text - the header block as received (fields as stored, each ending in CRLF), whole
// fields up to dmarc_report::kMaxHeaderPartOctets: a queued job holds no more than the report
// will carry.
std::string header_text(const std::vector<mail::HeaderField>& fields) {
  std::string out;
  for (const auto& f : fields) {
    const std::size_t size = f.raw.size() + (f.raw.ends_with("\r\n") ? 0 : 2);
    if (out.size() + size > dmarc_report::kMaxHeaderPartOctets) break;
    out += f.raw;
    if (!f.raw.ends_with("\r\n")) out += "\r\n";
  }
  return out;
}

// spf_result - the RFC 8601 name of the SPF result DMARC used ("" when none was checked).
std::string spf_result(const MessageReport& r) {
  const auto& d = r.decision;
  if (!r.decided) return "";
  if (d.mail_from.checked && !r.sender.empty()) return std::string(spf::to_string(d.mail_from.outcome.result));
  if (d.helo.checked) return std::string(spf::to_string(d.helo.outcome.result));
  return "";
}

// Signatures - the message's DKIM signatures as reports name them.
using Signatures = std::vector<dmarc_report::ReportedSignature>;

MechanismOutcome outcome_of(const MessageReport& r, const dmarc::AuthorVerdict& a,
                            const Signatures& signatures) {
  MechanismOutcome o;
  o.spf_aligned = a.spf_aligned;
  o.dkim_aligned = a.dkim_aligned;
  o.spf_failed = dmarc_report::spf_result_failed(spf_result(r));
  if (const auto* sig = dmarc_report::first_failed_signature(signatures)) o.dkim_failure = sig->failure;
  return o;
}

dmarc_report::FailureReport base_report(const FailedMessage& m, const dmarc::AuthorVerdict& a,
                                        const Signatures& signatures) {
  const auto& r = *m.report;
  dmarc_report::FailureReport f;
  f.queue_id = m.queue_id;
  f.arrival = m.arrival;
  f.reported_domain = a.domain;
  f.policy_domain = a.discovery.policy_domain;
  f.source_ip = r.client_ip;
  f.mail_from = r.sender;
  f.rcpt_to.assign(m.recipients.begin(),
                   m.recipients.begin() + static_cast<std::ptrdiff_t>(std::min(
                       m.recipients.size(), dmarc_report::kMaxReportedRecipients)));
  f.authentication_results = auth_results_value(r, m.authserv_id);
  f.dkim = signatures;
  f.spf_aligned = a.spf_aligned;
  f.dkim_aligned = a.dkim_aligned;
  f.delivery_result = delivery_result(r.dmarc->action);
  f.headers = header_text(*m.headers);
  return f;
}

}  // namespace

std::string delivery_result(dmarc::Action action) {
  switch (action) {
    case dmarc::Action::accept: return "delivered";
    case dmarc::Action::quarantine: return "policy";
    case dmarc::Action::reject: return "reject";
    case dmarc::Action::defer: return "other";
  }
  return "other";
}

std::vector<FailureJob> failure_jobs(const FailedMessage& m) {
  std::vector<FailureJob> jobs;
  if (m.report == nullptr || m.headers == nullptr || !m.report->dmarc) return jobs;
  if (dmarc_report::is_report_mail(header_views(*m.headers))) return jobs;
  Signatures signatures;
  for (const auto& sig : m.report->dkim) signatures.push_back(dmarc_report::reported_signature(sig));
  for (const auto& a : m.report->dmarc->authors) {
    if (a.discovery.status != dmarc::Status::found || a.discovery.record.ruf.empty()) continue;
    if (a.result != dmarc::Result::pass && a.result != dmarc::Result::fail) continue;
    auto types = dmarc_report::requested_reports(a.discovery.record.fo,
                                                 outcome_of(*m.report, a, signatures));
    if (types.empty()) continue;
    auto destinations = dmarc_report::failure_destinations(a.discovery.record.ruf_published);
    if (destinations.empty()) continue;
    jobs.push_back({base_report(m, a, signatures), std::move(types), std::move(destinations)});
  }
  return jobs;
}

}  // namespace postseal::verifier
