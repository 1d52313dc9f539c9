// dmarc_check.cpp - DMARC for the milter and the proxy (see dmarc_check.hpp).
#include "verifier/dmarc_check.hpp"

#include "core/metrics/stage.hpp"
#include "core/util/config.hpp"

namespace postseal::verifier {
namespace {

// domain_of - the part of an address after its last "@" ("" when there is none).
std::string domain_of(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : std::string(address.substr(at + 1));
}

}  // namespace

std::shared_ptr<const DmarcCheck> dmarc_check_from_config(const config::File& file) {
  auto check = std::make_shared<DmarcCheck>();
  check->settings = dmarc::settings_from_config(file);
  if (!check->settings.enable) return nullptr;
  if (check->settings.discovery == dmarc::Mode::psl) {
    check->psl = dmarc::load_public_suffix_list(check->settings.public_suffix_list);
  }
  return check;
}

dmarc::Message dmarc_message(const std::vector<mail::HeaderField>& headers,
                             const MessageReport& report) {
  dmarc::Message m;
  for (const auto& field : headers) {
    if (field.is("From")) m.from_fields.emplace_back(field.value());
  }
  const auto& d = report.decision;
  if (report.decided && d.mail_from.checked && !report.sender.empty()) {
    m.spf_domain = domain_of(report.sender);
    m.spf_pass = d.mail_from.outcome.result == spf::SpfResult::pass;
  } else if (report.decided && d.helo.checked && report.sender.empty()) {
    m.spf_domain = report.helo;  // RFC 9989 3.2.4: a null path is postmaster@HELO
    m.spf_pass = d.helo.outcome.result == spf::SpfResult::pass;
  }
  for (const auto& sig : report.dkim) {
    m.dkim.push_back({sig.d, sig.s, sig.result == dkim::Result::pass});
  }
  if (!report.client_ip.empty()) {
    std::error_code ec;
    auto address = asio::ip::make_address(report.client_ip, ec);
    if (!ec) m.client = address;
  }
  return m;
}

asio::awaitable<dmarc::Verdict> evaluate_dmarc(const DmarcCheck& check, dns::Resolver& resolver,
                                               dmarc::Message message) {
  metrics::StageTimer timer(metrics::Stage::dmarc);
  dmarc::Discovery discovery(resolver, check.settings.discovery,
                             check.psl ? &*check.psl : nullptr);
  co_return co_await dmarc::evaluate(message, check.settings.options, discovery);
}

}  // namespace postseal::verifier
