// failure_trigger.cpp - fo semantics, loop control, ruf destinations (see failure_trigger.hpp).
#include "core/dmarc_report/failure_trigger.hpp"

#include "core/util/text.hpp"

#include <algorithm>

namespace postseal::dmarc_report {

bool fo_requests_report(const dmarc::FailureOptions& fo, const MechanismOutcome& o) {
  if (fo.all_fail && !o.spf_aligned && !o.dkim_aligned) return true;
  if (fo.any_fail && (!o.spf_aligned || !o.dkim_aligned)) return true;
  if (fo.dkim && o.dkim_failed) return true;
  if (fo.spf && o.spf_failed) return true;
  return false;
}

bool spf_result_failed(std::string_view result) {
  return result == "fail" || result == "softfail" || result == "permerror";
}

bool dkim_result_failed(std::string_view result) {
  return result == "fail" || result == "permerror" || result == "policy";
}

bool is_report_mail(const std::vector<HeaderView>& fields) {
  for (const auto& f : fields) {
    auto v = trim(f.value);
    while (!v.empty() && (v.front() == '\r' || v.front() == '\n')) v = trim(v.substr(1));
    if (iequals(f.name, "Content-Type") && starts_with_icase(v, "multipart/report")) return true;
    if (iequals(f.name, "Auto-Submitted")) {
      auto word = v.substr(0, v.find_first_of(" \t;\r\n("));
      if (!iequals(word, "no")) return true;
    }
  }
  return false;
}

std::vector<MailtoAddress> failure_destinations(const std::vector<std::string>& ruf) {
  std::vector<MailtoAddress> out;
  for (const auto& uri : ruf) {
    if (out.size() >= kMaxFailureDestinations) break;
    auto to = mailto_address(uri);
    if (!to) continue;
    bool seen = std::any_of(out.begin(), out.end(),
                            [&](const MailtoAddress& a) { return iequals(a.address, to->address); });
    if (!seen) out.push_back(std::move(*to));
  }
  return out;
}

}  // namespace postseal::dmarc_report
