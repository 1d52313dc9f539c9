// verify_step.cpp - SPF decision, DKIM/DomainKeys verification and header edits per message
// for the before-queue proxy (see verify_step.hpp).
#include "verifier/proxy/verify_step.hpp"

#include "core/net/address_list.hpp"
#include "core/util/text.hpp"
#include "core/dmarc/auth_result.hpp"
#include "core/domainkeys/dk_verifier.hpp"
#include "verifier/auth_results.hpp"
#include "verifier/dmarc_check.hpp"
#include "verifier/dmarc_record.hpp"
#include "verifier/failure_sender.hpp"
#include "verifier/message_report.hpp"
#include "verifier/result_metrics.hpp"

#include <fmt/format.h>

namespace postseal::proxy {
namespace {

class VerifyStep final : public relay::MessageStep {
 public:
  VerifyStep(const Engine& engine, const std::vector<mail::HeaderField>& headers, relay::Envelope envelope)
      : inbound_(*engine.inbound),
        rules_(inbound_.rules.get()),  // the rules in force now, to the end of this message
        envelope_(std::move(envelope)),
        dkim_(rules_->dkim, *inbound_.clock),
        dk_(*inbound_.clock) {
    dkim_.headers(headers);
    dk_.headers(headers);
  }

  void body(std::string_view chunk) override {
    dkim_.body(chunk);
    dk_.body(chunk);
  }

  asio::awaitable<relay::StepOutcome> finish(const std::vector<mail::HeaderField>& headers) override {
    verifier::MessageReport report;
    report.sender = envelope_.sender;
    report.helo = envelope_.helo;
    auto address = xforward_address(envelope_.client_address);
    if (address) {
      report.client_ip = address->to_string();
      decision::Transaction t{*address, xforward_name(envelope_.client_name), envelope_.helo, envelope_.sender,
                              envelope_.queue_id};
      report.decision = co_await rules_->decider->decide(t);
      report.decided = true;
    }
    report.dkim = co_await dkim_.finish(*inbound_.resolver);
    report.domainkeys = co_await dk_.finish(*inbound_.resolver);
    if (rules_->dmarc)
      report.dmarc = co_await verifier::evaluate_dmarc(*rules_->dmarc, *inbound_.resolver,
                                                       verifier::dmarc_message(headers, report));
    verifier::count_results(report.dkim, report.dmarc);
    if (report.dmarc && inbound_.dmarc_recording)
      verifier::record_dmarc(*inbound_.dmarc_recording, *rules_->dmarc, report, *report.dmarc,
                             headers);
    if (report.dmarc && inbound_.failure_sender) submit_failures(report, headers);
    co_return outcome(report, headers);
  }

 private:
  // submit_failures - queue the message's DMARC failure reports (never waits for them).
  void submit_failures(const verifier::MessageReport& report, const std::vector<mail::HeaderField>& headers) {
    verifier::FailedMessage m;
    m.report = &report;
    m.headers = &headers;
    m.recipients = envelope_.recipients;
    m.queue_id = envelope_.queue_id;
    m.authserv_id = rules_->authserv_id;
    m.arrival = inbound_.clock->now();
    verifier::submit_failure_reports(inbound_.failure_sender.get(), m);
  }

  relay::StepOutcome outcome(const verifier::MessageReport& report, const std::vector<mail::HeaderField>& headers) {
    relay::StepOutcome out;
    const auto& id = rules_->authserv_id;
    out.drop = verifier::forged_fields(headers, id);
    if (rules_->received_spf)
      if (auto spf = verifier::received_spf_value(report, id); !spf.empty()) out.prepend += "Received-SPF:" + spf + "\r\n";
    out.prepend += "Authentication-Results:" + verifier::auth_results_value(report, id) + "\r\n";
    out.summary = verifier::result_summary(report);
    if (!out.drop.empty())
      out.summary += fmt::format("; removed {} forged Authentication-Results field(s) claiming {}", out.drop.size(),
                                 printable(id, verifier::kMaxLogValueOctets));
    if (report.decided && report.decision.verdict == decision::Verdict::reject) {
      out.relay = false;
      out.reply = printable(report.decision.reply, kMaxReplyTextOctets);
      out.summary = "rejected: " + out.reply + " (" + out.summary + ")";
    } else if (report.decided && report.decision.verdict == decision::Verdict::defer_if_permit) {
      out.relay = false;
      out.reply = defer_reply(report.decision.reply);
      out.summary = "deferred: " + out.reply + " (" + out.summary + ")";
    } else if (report.dmarc) {
      act_on_dmarc(*report.dmarc, out);
    }
    return out;
  }

  // act_on_dmarc - a DMARC reject (550 5.7.1) or deferral (451 4.7.1); a quarantine is only
  // reported (Authentication-Results and the log line): the proxy has no hold queue.
  static void act_on_dmarc(const dmarc::Verdict& v, relay::StepOutcome& out) {
    if (v.action == dmarc::Action::reject || v.action == dmarc::Action::defer) {
      out.relay = false;
      out.reply = v.action == dmarc::Action::reject ? dmarc::reject_reply(v) : dmarc::defer_reply(v);
      out.summary = (v.action == dmarc::Action::reject ? "rejected: " : "deferred: ") + out.reply + " (" +
                    out.summary + ")";
    }
  }

  const verifier::InboundContext& inbound_;
  std::shared_ptr<const verifier::InboundRules> rules_;
  relay::Envelope envelope_;
  dkim::MessageVerifier dkim_;
  domainkeys::DkVerifier dk_;
};

}  // namespace

relay::StepFactory verify_steps(const Engine& engine) {
  return [&engine](const std::vector<mail::HeaderField>& headers,
                   const relay::Envelope& envelope) -> std::unique_ptr<relay::MessageStep> {
    return std::make_unique<VerifyStep>(engine, headers, envelope);
  };
}

std::optional<asio::ip::address> xforward_address(std::string_view text) {
  if (text.size() > 5 && (text.substr(0, 5) == "IPv6:" || text.substr(0, 5) == "ipv6:")) text.remove_prefix(5);
  std::error_code ec;
  auto address = asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return net::unmapped(address);
}

std::string xforward_name(std::string_view text) {
  if (text.empty() || text.front() == '[') return "unknown";
  return printable(text, kMaxClientNameOctets);
}

std::string defer_reply(std::string_view text) {
  auto t = printable(text, kMaxReplyTextOctets);
  if (t.size() > 4 && t[0] == '4' && t[3] == ' ') return t;
  return "451 4.4.3 " + t;
}

}  // namespace postseal::proxy
