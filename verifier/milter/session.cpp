// session.cpp - the pure steps of the milter front end (see session.hpp).
#include "verifier/milter/session.hpp"

#include "core/util/text.hpp"
#include "verifier/decision/options.hpp"
#include "verifier/decision/received_spf.hpp"
#include "verifier/dmarc_check.hpp"
#include "verifier/dmarc_record.hpp"
#include "verifier/failure_sender.hpp"
#include "verifier/message_report.hpp"

#include <algorithm>
#include <cctype>

namespace postseal::milter {

void Session::reset_message() {
  queue_id.clear();
  sasl_username.clear();
  sender.clear();
  sender_whitelisted = false;
  recipients.clear();
  greylist_delayed.reset();
  decided = false;
  decision = {};
  fields.clear();
  header_octets = 0;
  header_problem.clear();
  auth_results_seen = 0;
  forged.clear();
  subject.reset();
  dkim.reset();
  dk.reset();
  internal.reset();
  sign.reset();
}

std::string strip_angle(std::string_view arg) {
  if (arg.size() >= 2 && arg.front() == '<' && arg.back() == '>') arg = arg.substr(1, arg.size() - 2);
  return std::string(arg);
}

std::string client_name_from(std::string_view hostname) {
  if (hostname.empty() || hostname.front() == '[') return "unknown";
  return std::string(hostname);
}

static std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// entry_matches - one address_listed entry (lower case) against `addr` (lower case).
static bool entry_matches(std::string_view e, std::string_view addr, std::string_view local, std::string_view domain) {
  auto at = e.find('@');
  if (at == std::string_view::npos) {
    if (domain.empty()) return false;
    if (e.front() == '.') return e.size() > 1 && domain.size() > e.size() - 1 && domain.ends_with(e);
    return decision::domain_matches(domain, e);
  }
  if (at == 0) return !domain.empty() && domain == e.substr(1);  // "@domain"
  if (at + 1 == e.size()) return !domain.empty() && local == e.substr(0, at);  // "user@"
  return e == addr;                                               // "user@domain"
}

bool address_listed(std::string_view address, const std::vector<std::string>& list) {
  auto addr = lower(address);
  auto at = addr.rfind('@');
  std::string_view local = at == std::string::npos ? std::string_view{} : std::string_view(addr).substr(0, at);
  std::string_view domain = at == std::string::npos ? std::string_view{} : std::string_view(addr).substr(at + 1);
  while (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  for (const auto& entry : list) {
    auto e = lower(entry);
    if (!e.empty() && entry_matches(e, addr, local, domain)) return true;
  }
  return false;
}

bool host_listed(std::string_view name, const std::vector<std::string>& list) {
  auto host = lower(name);
  while (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty() || host == "unknown") return false;
  for (const auto& entry : list) {
    auto e = lower(entry);
    if (e.empty()) continue;
    if (e.front() == '.') {
      if (e.size() > 1 && host.size() > e.size() - 1 && host.ends_with(e)) return true;
    } else if (decision::domain_matches(host, e)) {
      return true;
    }
  }
  return false;
}

mail::HeaderField raw_field(std::string_view name, std::string_view value, bool leading_space) {
  mail::HeaderField f;
  f.raw.reserve(name.size() + value.size() + 8);
  f.raw.append(name);
  f.raw.push_back(':');
  if (!leading_space) f.raw.push_back(' ');
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r')) f.raw.push_back('\r');
    f.raw.push_back(value[i]);
  }
  return f;
}

bool add_mta_field(Session& s, std::string_view name, std::string_view value, bool leading_space,
                   std::string_view authserv_id) {
  if (name.find_first_of(std::string_view(":\r\n\0", 4)) != std::string_view::npos || !mail::valid_field_name(name)) {
    if (s.header_problem.empty()) s.header_problem = kBadFieldName;
    return false;
  }
  return add_field(s, raw_field(name, value, leading_space), authserv_id);
}

bool add_field(Session& s, mail::HeaderField field, std::string_view authserv_id) {
  if (!s.subject && field.is("Subject") && field.raw.size() <= mail::kMaxHeaderBlockBytes)
    s.subject = std::string(field.value());
  if (field.is("Authentication-Results")) {
    ++s.auth_results_seen;
    if (verifier::claims_our_id(field.value(), authserv_id)) s.forged.push_back(s.auth_results_seen);
  }
  if (s.header_problem.empty() && mail::has_bare_cr(field.raw)) s.header_problem = kBareCrInHeader;
  if (s.header_problem.empty() && !mail::valid_field_name(field.name())) s.header_problem = kBadFieldName;
  if (!s.header_problem.empty()) return false;
  if (s.fields.size() >= mail::kMaxHeaderFields) {
    s.header_problem = kTooManyFields;
    return false;
  }
  s.header_octets += field.raw.size() + 2;
  if (s.header_octets > mail::kMaxHeaderBlockBytes) {
    s.header_problem = kHeaderTooLarge;
    return false;
  }
  s.fields.push_back(std::move(field));
  return true;
}

std::vector<int> forged_occurrences(const Session& s) {
  std::vector<int> out(s.forged.rbegin(), s.forged.rend());
  return out;
}

std::string results_log_text(std::string_view value) {
  auto semi = value.find(';');
  value = semi == std::string_view::npos ? std::string_view{} : value.substr(semi + 1);
  std::string out;
  for (char c : value) {
    bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out.push_back(space ? ' ' : c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// report_of - the session as the shared header renderers (verifier/message_report.hpp) see it.
static verifier::MessageReport report_of(const Session& s) {
  verifier::MessageReport r;
  r.decided = s.decided;
  r.decision = s.decision;
  r.client_ip = s.client ? s.client->to_string() : std::string{};
  r.sender = s.sender;
  r.helo = s.helo;
  r.dkim_not_checked = s.header_problem;
  return r;
}

std::vector<verifier::SpfResinfo> spf_resinfo(const Session& s) {
  return verifier::spf_resinfo(s.decision, s.sender, s.helo);
}

std::string to_lf(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i)
    if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) out.push_back(text[i]);
  return out;
}

std::string auth_results_value(const Session& s, std::string_view authserv_id,
                               const std::vector<dkim::SignatureResult>& dkim,
                               const std::optional<domainkeys::DkResult>& dk,
                               const std::optional<dmarc::Verdict>& dmarc) {
  auto report = report_of(s);
  report.dkim = dkim;
  report.domainkeys = dk;
  report.dmarc = dmarc;
  return to_lf(verifier::auth_results_value(report, authserv_id));
}

dmarc::Message dmarc_message(const Session& s, const std::vector<dkim::SignatureResult>& dkim) {
  auto report = report_of(s);
  report.dkim = dkim;
  return verifier::dmarc_message(s.fields, report);
}

void record_dmarc(const Session& s, const std::vector<dkim::SignatureResult>& dkim,
                  const dmarc::Verdict& verdict, const verifier::DmarcCheck& check,
                  verifier::DmarcRecording& recording) {
  auto report = report_of(s);
  report.dkim = dkim;
  verifier::record_dmarc(recording, check, report, verdict, s.fields);
}

void submit_failure_reports(const Session& s, const std::vector<dkim::SignatureResult>& dkim,
                            const dmarc::Verdict& verdict, std::string_view authserv_id,
                            std::int64_t now, verifier::FailureSender& sender) {
  auto report = report_of(s);
  report.dkim = dkim;
  report.dmarc = verdict;
  verifier::FailedMessage m;
  m.report = &report;
  m.headers = &s.fields;
  m.recipients = s.recipients;
  m.queue_id = s.queue_id;
  m.authserv_id = std::string(authserv_id);
  m.arrival = now;
  verifier::submit_failure_reports(&sender, m);
}

std::string received_spf_value(const Session& s, std::string_view receiver) {
  return verifier::received_spf_value(report_of(s), receiver);
}

bool spf_flagged(const Session& s) {
  if (!s.decided || !s.decision.skipped.empty()) return false;
  if (s.decision.verdict == decision::Verdict::reject) return true;
  const auto& d = s.decision;
  const decision::IdentityCheck* used = d.mail_from.checked ? &d.mail_from : d.helo.checked ? &d.helo : nullptr;
  if (used == nullptr) return false;
  return used->outcome.result == spf::SpfResult::fail || used->outcome.result == spf::SpfResult::softfail;
}

SubjectEdit subject_edit(const std::optional<std::string>& subject, std::string_view tag) {
  SubjectEdit edit;
  edit.value = " " + std::string(tag);
  if (!subject) return edit;
  edit.replace = true;
  auto v = to_lf(*subject);
  // A bare CR (a header problem, but the Subject is noted before that is known) must not
  // reach a header change as part of a line: it becomes a space.
  std::replace(v.begin(), v.end(), '\r', ' ');
  if (v.find_first_not_of(" \t\n") == std::string::npos) return edit;
  edit.value += (v[0] != ' ' && v[0] != '\t' ? " " : "") + v;
  return edit;
}

}  // namespace postseal::milter
