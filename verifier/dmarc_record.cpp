// dmarc_record.cpp - aggregate report rows of the inbound front ends (see dmarc_record.hpp).
#include "verifier/dmarc_record.hpp"

#include "core/dmarc_report/report_mail.hpp"
#include "core/state/store_factory.hpp"
#include "core/util/config.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"

namespace postseal::verifier {
namespace {

using dmarc_report::PolicyPublished;
using dmarc_report::Row;

// domain_of - the lower-case part of an address after its last "@" ("" when none).
std::string domain_of(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : to_lower(address.substr(at + 1));
}

PolicyPublished policy_of(const dmarc::PolicyDiscovery& d, dmarc::Mode mode) {
  const auto& r = d.record;
  PolicyPublished p;
  p.domain = d.policy_domain;
  p.p = dmarc::to_string(r.p);
  if (r.sp) p.sp = dmarc::to_string(*r.sp);
  if (r.np) p.np = dmarc::to_string(*r.np);
  p.adkim = dmarc::to_string(r.adkim);
  p.aspf = dmarc::to_string(r.aspf);
  p.testing = r.t ? "y" : "n";
  p.psd = dmarc::to_string(r.psd);
  p.discovery_method = dmarc::to_string(mode);
  p.rua = r.rua_published;  // with a "!size" suffix: the report run honours it
  return p;
}

// set_spf - the SPF identity of the row: MAIL FROM, else HELO for the null sender.
void set_spf(Row& row, const MessageReport& report) {
  const auto& d = report.decision;
  if (report.decided && d.mail_from.checked && !report.sender.empty()) {
    row.spf_domain = domain_of(report.sender);
    row.spf_scope = "mfrom";
    row.spf_result = spf::to_string(d.mail_from.outcome.result);
  } else if (report.decided && d.helo.checked) {
    row.spf_domain = to_lower(report.helo);
    row.spf_scope = "helo";
    row.spf_result = spf::to_string(d.helo.outcome.result);
  }
}

// disposition - RFC 9990 ActionDispositionType of the message.
std::string disposition(const dmarc::Verdict& v, const dmarc::AuthorVerdict& a) {
  switch (v.action) {
    case dmarc::Action::reject: return "reject";
    case dmarc::Action::quarantine: return "quarantine";
    default: break;
  }
  if (a.result == dmarc::Result::pass && a.discovery.record.p != dmarc::Policy::none) return "pass";
  return "none";
}

// override_type - RFC 9990 PolicyOverrideType, "" when the policy applied as published.
std::string override_type(const dmarc::Verdict& v, const dmarc::AuthorVerdict& a) {
  if (a.result != dmarc::Result::fail) return "";
  if (v.override_reason == dmarc::Override::forwarded) return "trusted_forwarder";
  if (v.override_reason == dmarc::Override::local_policy) return "local_policy";
  if (a.policy && a.effective && *a.policy != *a.effective) return "policy_test_mode";
  return "";
}

}  // namespace

std::unique_ptr<DmarcRecording> make_dmarc_recording(const config::File& file) {
  const auto settings = dmarc::settings_from_config(file);
  if (!settings.enable || !settings.reporting.record) return nullptr;
  auto r = std::make_unique<DmarcRecording>();
  r->state = state::settings_from_config(file);
  r->limits.max_rows = static_cast<std::size_t>(settings.reporting.max_rows);
  r->limits.max_domains = static_cast<std::size_t>(settings.reporting.max_domains);
  r->limits.flush_interval = dmarc_report::kFlushInterval;  // rows seen before: batched
  return r;
}

void start_dmarc_recording(DmarcRecording& r, const Clock& clock) {
  if (r.recorder) return;
  r.store = state::open_store(r.state, clock);
  r.recorder = std::make_unique<dmarc_report::Recorder>(*r.store, clock, r.limits);
  log::info("DMARC reports: recording into {}, at most {} rows per domain and {} domains per day",
            r.store->name(), r.limits.max_rows, r.limits.max_domains);
}

std::vector<std::pair<PolicyPublished, Row>> report_rows(const DmarcCheck& check,
                                                         const MessageReport& report,
                                                         const dmarc::Verdict& verdict) {
  std::vector<std::pair<PolicyPublished, Row>> out;
  if (report.client_ip.empty()) return out;
  for (const auto& a : verdict.authors) {
    if (a.discovery.status != dmarc::Status::found || a.discovery.record.rua.empty()) continue;
    Row row;
    row.source_ip = report.client_ip;
    row.header_from = a.domain;
    row.envelope_from = domain_of(report.sender);
    set_spf(row, report);
    for (const auto& sig : report.dkim)
      row.dkim.push_back({to_lower(sig.d), sig.s, std::string(dkim::to_string(sig.result))});
    row.disposition = disposition(verdict, a);
    row.dkim_aligned = a.dkim_aligned;
    row.spf_aligned = a.spf_aligned;
    row.override_type = override_type(verdict, a);
    out.emplace_back(policy_of(a.discovery, check.settings.discovery), std::move(row));
  }
  return out;
}

bool is_passing_report_mail(const std::vector<mail::HeaderField>& headers,
                            const dmarc::Verdict& verdict) {
  if (verdict.authors.empty()) return false;
  for (const auto& a : verdict.authors)
    if (a.result != dmarc::Result::pass) return false;
  return dmarc_report::report_kind(headers) != dmarc_report::ReportKind::none;
}

void record_dmarc(DmarcRecording& recording, const DmarcCheck& check, const MessageReport& report,
                  const dmarc::Verdict& verdict, const std::vector<mail::HeaderField>& headers) {
  if (!recording.recorder || is_passing_report_mail(headers, verdict)) return;
  for (const auto& [policy, row] : report_rows(check, report, verdict))
    recording.recorder->record(policy, row);
}

}  // namespace postseal::verifier
