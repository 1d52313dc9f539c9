// message_report.cpp - Authentication-Results and Received-SPF values (see the header).
#include "verifier/message_report.hpp"

#include "core/dmarc/auth_result.hpp"
#include "core/util/text.hpp"
#include "verifier/decision/received_spf.hpp"

#include <fmt/format.h>

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
  ar.domainkeys = report.domainkeys;
  if (report.dmarc) ar.dmarc = dmarc::format_result(*report.dmarc);
  if (!report.dkim_not_checked.empty()) ar.comment = "DKIM not checked: " + report.dkim_not_checked;
  return render_authentication_results_value(ar, true);
}

std::string received_spf_value(const MessageReport& report, std::string_view receiver) {
  const auto& d = report.decision;
  if (!report.decided || !d.skipped.empty()) return {};
  decision::SpfReport spf;
  const decision::IdentityCheck* check = nullptr;
  if (d.mail_from.checked) {
    check = &d.mail_from;
    spf.identity = spf::Identity::mailfrom;
  } else if (d.helo.checked) {
    check = &d.helo;
    spf.identity = spf::Identity::helo;
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

// skip_words - "SPF skipped - localhost is always allowed." -> "localhost is always allowed".
static std::string skip_words(std::string_view skipped) {
  constexpr std::string_view prefix = "SPF skipped - ";
  if (skipped.starts_with(prefix)) skipped.remove_prefix(prefix.size());
  while (!skipped.empty() && skipped.back() == '.') skipped.remove_suffix(1);
  return printable(skipped, kMaxLogValueOctets);
}

std::string result_summary(const MessageReport& r) {
  std::vector<std::string> words;
  if (!r.decided) words.emplace_back("spf=none (no client address)");
  else if (!r.decision.skipped.empty()) words.push_back(fmt::format("spf=skipped ({})", skip_words(r.decision.skipped)));
  else
    for (const auto& s : spf_resinfo(r.decision, r.sender, r.helo))
      words.push_back(fmt::format("spf={} ({})", spf::to_string(s.result), s.helo.empty() ? "mailfrom" : "helo"));
  for (const auto& d : r.dkim)
    words.push_back(fmt::format("dkim={} (d={})", dkim::to_string(d.result), printable(d.d, kMaxLogValueOctets)));
  if (r.dkim.empty()) words.emplace_back(r.dkim_not_checked.empty() ? "dkim=none" : "dkim=none (not checked)");
  words.push_back(fmt::format("domainkeys={}", dkim::to_string(r.domainkeys ? r.domainkeys->result : dkim::Result::none)));
  if (r.dmarc) words.push_back(fmt::format("dmarc={} ({})", dmarc::to_string(r.dmarc->result), dmarc::to_string(r.dmarc->action)));
  return fmt::format("{}", fmt::join(words, " "));
}

}  // namespace postseal::verifier
