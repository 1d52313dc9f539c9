// message_report.cpp - Authentication-Results and Received-SPF values (see the header).
#include "verifier/message_report.hpp"

#include "verifier/decision/received_spf.hpp"

namespace postseal::verifier {
namespace {

std::string why(const spf::SpfOutcome& o) {
  if (!o.reason.empty()) return o.reason;
  return o.mechanism.empty() ? std::string{} : "matched " + o.mechanism;
}

}  // namespace

std::vector<SpfResinfo> spf_resinfo(const decision::Decision& d, std::string_view sender, std::string_view helo) {
  std::vector<SpfResinfo> out;
  if (d.mail_from.checked) {
    SpfResinfo r;
    r.result = d.mail_from.outcome.result;
    r.reason = why(d.mail_from.outcome);
    r.mailfrom = std::string(sender);
    out.push_back(std::move(r));
  }
  if (d.helo.checked) {
    SpfResinfo r;
    r.result = d.helo.outcome.result;
    r.reason = why(d.helo.outcome);
    r.helo = std::string(helo);
    out.push_back(std::move(r));
  }
  return out;
}

std::string auth_results_value(const MessageReport& report, std::string_view authserv_id) {
  AuthResults ar;
  ar.authserv_id = std::string(authserv_id);
  if (report.decided) ar.spf = spf_resinfo(report.decision, report.sender, report.helo);
  ar.dkim = report.dkim;
  std::string field = render_authentication_results(ar, true);
  constexpr std::string_view prefix = "Authentication-Results:";
  std::string value = field.substr(prefix.size());
  if (report.domainkeys) {
    auto none = value.rfind(";\r\n\tnone");
    if (ar.spf.empty() && ar.dkim.empty() && none != std::string::npos) value.resize(none);
    value += ";\r\n\t" + domainkeys::format_result(*report.domainkeys);
  }
  if (!report.dkim_not_checked.empty())
    value += " (DKIM not checked: " + decision::comment_safe(report.dkim_not_checked) + ")";
  return value;
}

std::string received_spf_value(const MessageReport& report, std::string_view receiver) {
  const auto& d = report.decision;
  if (!report.decided || !d.skipped.empty()) return {};
  decision::SpfReport spf;
  const decision::IdentityCheck* check = nullptr;
  if (d.mail_from.checked) {
    check = &d.mail_from;
    spf.identity = decision::Identity::mailfrom;
  } else if (d.helo.checked) {
    check = &d.helo;
    spf.identity = decision::Identity::helo;
  } else {
    return {};
  }
  spf.outcome = check->outcome;
  spf.client_ip = report.client_ip;
  spf.sender = report.sender;
  spf.helo = report.helo;
  spf.receiver = std::string(receiver);
  return " " + decision::received_spf_value(spf);
}

}  // namespace postseal::verifier
