// failure_trigger.cpp - the reports fo asks for, loop control, ruf destinations (see
// failure_trigger.hpp).
#include "core/dmarc_report/failure_trigger.hpp"

#include "core/util/text.hpp"

#include <algorithm>
#include <cassert>

namespace postseal::dmarc_report {

std::vector<AuthFailure> requested_reports(const dmarc::FailureOptions& fo,
                                           const MechanismOutcome& o) {
  std::vector<AuthFailure> out;
  const bool all_failed = !o.spf_aligned && !o.dkim_aligned;
  const bool any_failed = !o.spf_aligned || !o.dkim_aligned;
  if ((fo.all_fail && all_failed) || (fo.any_fail && any_failed)) out.push_back(AuthFailure::dmarc);
  if (fo.dkim && o.dkim_failure) out.push_back(*o.dkim_failure);
  if (fo.spf && o.spf_failed) out.push_back(AuthFailure::spf);
  assert(out.size() <= kMaxReportsPerAuthor);
  return out;
}

bool spf_result_failed(std::string_view result) {
  return result == "fail" || result == "softfail" || result == "permerror";
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
