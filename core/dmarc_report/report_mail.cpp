// report_mail.cpp - is this message a DMARC report (see report_mail.hpp).
#include "core/dmarc_report/report_mail.hpp"

#include "core/dmarc/discovery.hpp"
#include "core/util/text.hpp"

#include <string>

namespace postseal::dmarc_report {
namespace {

// words - `value` (at most kMaxHeaderValueOctets) unfolded and split at runs of SP, HTAB, CR, LF.
std::vector<std::string_view> words(std::string_view value) {
  value = value.substr(0, kMaxHeaderValueOctets);
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && std::string_view(" \t\r\n").find(value[i]) != std::string_view::npos) ++i;
    std::size_t start = i;
    while (i < value.size() && std::string_view(" \t\r\n").find(value[i]) == std::string_view::npos) ++i;
    if (i > start) out.push_back(value.substr(start, i - start));
  }
  return out;
}

// only_field - the one field named `name`, null when there are none or several.
const mail::HeaderField* only_field(const std::vector<mail::HeaderField>& headers,
                                    std::string_view name) {
  const mail::HeaderField* found = nullptr;
  for (const auto& f : headers) {
    if (!f.is(name)) continue;
    if (found != nullptr) return nullptr;
    found = &f;
  }
  return found;
}

}  // namespace

std::string_view to_string(ReportKind k) {
  switch (k) {
    case ReportKind::none: return "none";
    case ReportKind::aggregate: return "aggregate report";
    case ReportKind::failure: return "failure report";
  }
  return "?";
}

bool aggregate_report_subject(std::string_view value) {
  auto w = words(value);
  return w.size() >= 5 && w[0] == "Report" && w[1] == "Domain:" &&
         dmarc::domain_name(w[2]).has_value() && w[3] == "Submitter:" &&
         dmarc::domain_name(w[4]).has_value();
}

bool feedback_report_type(std::string_view value) {
  std::string compact;
  for (char c : value.substr(0, kMaxHeaderValueOctets))
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact += c;
  compact = to_lower(compact);
  if (!compact.starts_with("multipart/report;")) return false;
  return compact.find(";report-type=feedback-report") != std::string::npos ||
         compact.find(";report-type=\"feedback-report\"") != std::string::npos;
}

ReportKind report_kind(const std::vector<mail::HeaderField>& headers) {
  if (const auto* s = only_field(headers, "Subject"); s && aggregate_report_subject(s->value()))
    return ReportKind::aggregate;
  if (const auto* c = only_field(headers, "Content-Type"); c && feedback_report_type(c->value()))
    return ReportKind::failure;
  return ReportKind::none;
}

}  // namespace postseal::dmarc_report
