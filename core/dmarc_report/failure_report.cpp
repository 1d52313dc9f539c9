// failure_report.cpp - the RFC 9991 / RFC 6591 failure report messages (see failure_report.hpp).
#include "core/dmarc_report/failure_report.hpp"

#include "core/dmarc_report/message.hpp"
#include "core/dmarc_report/row.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace postseal::dmarc_report {
namespace {

// value - untrusted text fit for one report field.
std::string value(std::string_view text) { return printable(text, kMaxFieldValueOctets); }

// lf_lines - CRLF line ends made LF.
std::string lf_lines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

// folded_value - our own folded A-R value: LF line ends, each continuation starting with a
// TAB, no empty line (anything else would end the field list).
std::string folded_value(std::string_view text) {
  std::string out;
  for (char c : lf_lines(text)) {
    if (c == '\n') {
      out += "\n\t";
      continue;
    }
    if (c == '\t' && !out.empty() && out.back() == '\t') continue;
    out += (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f ? '?' : c;
  }
  auto first = out.find_first_not_of(" \t");
  return first == std::string::npos ? std::string() : out.substr(first);
}

// named_signature - the signature the DKIM-* fields name: for a DKIM report the one that
// failed (first_failed_signature); for a dmarc report the first that did not pass, else the
// first; none for an spf report.
const ReportedSignature* named_signature(const FailureReport& r) {
  if (is_dkim_report(r.auth_failure)) return first_failed_signature(r.dkim);
  if (r.auth_failure != AuthFailure::dmarc) return nullptr;
  for (const auto& sig : r.dkim)
    if (sig.result != "pass") return &sig;
  return r.dkim.empty() ? nullptr : &r.dkim.front();
}

// ReportWording - how the human-readable part and the Subject name a report type.
struct ReportWording {
  std::string_view kind;      // "DMARC", "DKIM", "SPF"
  std::string_view standard;  // the RFC that asks for it
  std::string_view what;      // what failed
};

ReportWording wording(AuthFailure type) {
  switch (type) {
    case AuthFailure::dmarc: return {"DMARC", "RFC 9991", "it did not pass DMARC"};
    case AuthFailure::signature: return {"DKIM", "RFC 6591", "a DKIM signature did not verify"};
    case AuthFailure::bodyhash:
      return {"DKIM", "RFC 6591", "a DKIM signature's body hash did not match"};
    case AuthFailure::revoked: return {"DKIM", "RFC 6591", "a DKIM signature's key is revoked"};
    case AuthFailure::spf: return {"SPF", "RFC 6591", "SPF failed"};
  }
  return {"DMARC", "RFC 9991", "it did not pass DMARC"};
}

std::string human_part(const FailureReport& r) {
  const auto words = wording(r.auth_failure);
  return fmt::format(
      "This is a {} failure report ({}, Auth-Failure: {}) about a message that claimed to be\n"
      "from {}: {}. The DMARC policy of {} asks for these reports.\n"
      "Source IP: {}\nIdentity alignment: {}\n"
      "The message's header follows; its body is not included.\n",
      words.kind, words.standard, to_string(r.auth_failure), value(r.reported_domain), words.what,
      value(r.policy_domain), value(r.source_ip),
      identity_alignment(r.dkim_aligned, r.spf_aligned));
}

// kMessageIdFields - fields whose "x@y" are message identifiers, not addresses: not redacted.
constexpr std::string_view kMessageIdFields[] = {"Message-ID", "In-Reply-To", "References",
                                                 "Resent-Message-ID"};

// redact_fields - the redactor applied to each field of an LF header block, but for
// kMessageIdFields.
std::string redact_fields(std::string_view block, const Redactor& redactor,
                          std::string_view reported_domain) {
  std::string out;
  std::size_t start = 0;
  while (start < block.size()) {
    std::size_t end = start;
    do {  // the field's lines: the first and its continuations
      auto nl = block.find('\n', end);
      end = nl == std::string_view::npos ? block.size() : nl + 1;
    } while (end < block.size() && (block[end] == ' ' || block[end] == '\t'));
    auto field = block.substr(start, end - start);
    auto name = trim(field.substr(0, field.find(':')));
    bool message_id = false;
    for (auto id : kMessageIdFields) message_id = message_id || iequals(name, id);
    out += message_id ? std::string(field) : redactor.header_text(field, reported_domain);
    start = end;
  }
  return out;
}

}  // namespace

std::string dkim_identity(const ReportedSignature& sig) {
  return sig.i.empty() ? "@" + sig.d : sig.i;
}

std::string identity_alignment(bool dkim_aligned, bool spf_aligned) {
  if (dkim_aligned && spf_aligned) return "dkim, spf";
  if (dkim_aligned) return "dkim";
  if (spf_aligned) return "spf";
  return "none";
}

std::string header_part(std::string_view headers, const Redactor& redactor,
                        std::string_view reported_domain) {
  std::string text = lf_lines(headers);
  if (text.size() > kMaxHeaderPartOctets) {
    auto cut = text.rfind('\n', kMaxHeaderPartOctets - 1);
    while (cut != std::string::npos && cut > 0 && cut + 1 < text.size() &&
           (text[cut + 1] == ' ' || text[cut + 1] == '\t'))
      cut = text.rfind('\n', cut - 1);  // keep whole fields: never end inside a folded one
    text.resize(cut == std::string::npos ? 0 : cut + 1);
  }
  // an empty line would end the part's header early: drop any
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (!(text[i] == '\n' && (out.empty() || out.back() == '\n'))) out += text[i];
  if (!out.empty() && out.back() != '\n') out += '\n';
  return redact_fields(out, redactor, reported_domain);
}

std::string feedback_report(const FailureReport& r, const Redactor& redactor) {
  std::string out = "Feedback-Type: auth-failure\n";
  out += fmt::format("User-Agent: {}\nVersion: 1\n", value(r.user_agent));
  if (!r.queue_id.empty()) out += fmt::format("Original-Envelope-Id: {}\n", value(r.queue_id));
  out += fmt::format("Original-Mail-From: <{}>\n",
                     value(redactor.address(r.mail_from, r.reported_domain)));
  if (redactor.mode() == Redaction::none) {
    std::size_t n = 0;
    for (const auto& rcpt : r.rcpt_to)
      if (n++ < kMaxReportedRecipients) out += fmt::format("Original-Rcpt-To: <{}>\n", value(rcpt));
  }
  out += fmt::format("Arrival-Date: {}\n", rfc5322_date(r.arrival));
  out += fmt::format("Source-IP: {}\n", value(r.source_ip));
  out += fmt::format("Reported-Domain: {}\n", value(r.reported_domain));
  out += fmt::format("Authentication-Results: {}\n",
                     folded_value(redactor.header_text(r.authentication_results, r.reported_domain)));
  out += fmt::format("Auth-Failure: {}\n", to_string(r.auth_failure));
  if (const auto* sig = named_signature(r)) {
    out += fmt::format("DKIM-Domain: {}\n", value(sig->d));
    out += fmt::format("DKIM-Identity: {}\n",
                       value(redactor.address(dkim_identity(*sig), r.reported_domain)));
    if (!sig->s.empty()) out += fmt::format("DKIM-Selector: {}\n", value(sig->s));
  }
  if (r.auth_failure == AuthFailure::dmarc)  // RFC 9991 4: a DMARC failure report's field
    out += fmt::format("Identity-Alignment: {}\n",
                       identity_alignment(r.dkim_aligned, r.spf_aligned));
  if (!r.delivery_result.empty())
    out += fmt::format("Delivery-Result: {}\n", value(r.delivery_result));
  return out;
}

std::string failure_report_message(const FailureReport& r, const Redactor& redactor) {
  const std::string id = digest(fmt::format("{}\n{}\n{}\n{}\n{}", r.queue_id, r.to, r.date,
                                            r.reported_domain, to_string(r.auth_failure)));
  const std::string boundary = "=_postseal_failure_" + id;
  auto at = r.reporter.rfind('@');
  const std::string reporter_domain = at == std::string::npos ? r.reporter : r.reporter.substr(at + 1);
  std::string out;
  out += fmt::format("From: {}\nTo: {}\n", r.reporter, r.to);
  out += fmt::format("Date: {}\n", rfc5322_date(r.date));
  out += fmt::format("Subject: {} failure report for {} from {}\n", wording(r.auth_failure).kind,
                     value(r.reported_domain), value(r.source_ip));
  out += fmt::format("Message-ID: <{}.failure@{}>\n", id, reporter_domain);
  out += "Auto-Submitted: auto-generated\nMIME-Version: 1.0\n";
  out += fmt::format(
      "Content-Type: multipart/report; report-type=feedback-report;\n\tboundary=\"{}\"\n\n", boundary);
  out += fmt::format("This is a {} failure report in MIME format.\n\n",
                     wording(r.auth_failure).kind);
  out += fmt::format("--{}\nContent-Type: text/plain; charset=us-ascii\n\n", boundary);
  out += human_part(r);
  out += fmt::format("\n--{}\nContent-Type: message/feedback-report\n\n", boundary);
  out += feedback_report(r, redactor);
  out += fmt::format("\n--{}\nContent-Type: text/rfc822-headers\nContent-Transfer-Encoding: 8bit\n\n",
                     boundary);
  out += header_part(r.headers, redactor, r.reported_domain);
  out += fmt::format("\n--{}--\n", boundary);
  return out;
}

}  // namespace postseal::dmarc_report
