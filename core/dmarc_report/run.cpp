// run.cpp - one report run (see run.hpp).
#include "core/dmarc_report/run.hpp"

#include "core/dmarc_report/destination.hpp"
#include "core/dmarc_report/gzip.hpp"
#include "core/dmarc_report/message.hpp"
#include "core/dmarc_report/naming.hpp"
#include "core/dmarc_report/recorder.hpp"
#include "core/dmarc_report/sendmail.hpp"
#include "core/dmarc_report/sent_recently.hpp"
#include "core/dmarc_report/store_keys.hpp"
#include "core/dmarc_report/suppression.hpp"
#include "core/dmarc_report/xml.hpp"
#include "core/util/errors.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <optional>

namespace postseal::dmarc_report {
namespace {

// Run - the state of one run.
struct Run {
  state::Store& store;
  const Clock& clock;
  dns::Resolver& resolver;
  dmarc::Discovery& discovery;
  const Submitter& who;
  const RunOptions& options;
  const Say& say;
  RunSummary summary;
};

// write_file - the report under options.out_dir; false (and said) when it cannot be written.
bool write_file(Run& run, const BuiltReport& report) {
  const std::string path = run.options.out_dir + "/" + report.file_name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(report.gzip.data(), static_cast<std::streamsize>(report.gzip.size()));
  out.close();
  if (!out) {
    run.say(fmt::format("error: cannot write {}", path));
    ++run.summary.failed;
    return false;
  }
  run.say(fmt::format("  written {}", path));
  ++run.summary.written;
  return true;
}

// outgoing_mail - the report mail for `to`, signed when the submitter signs (sign_mail.hpp);
// nullopt (said, counted as failed) when the signature is required and cannot be made now.
std::optional<SignedMail> outgoing_mail(Run& run, const PolicyPublished& policy,
                                        const BuiltReport& report, const MailtoAddress& to) {
  ReportMail mail{run.who.email,
                  to.address,
                  report_subject(policy.domain, run.who.receiver, report.report_id),
                  report.report_id,
                  policy.domain,
                  report.file_name,
                  report.gzip,
                  run.clock.now()};
  auto signed_mail = sign_mail(run.who.sign, report_message(mail));
  if (!signed_mail) {
    run.say(fmt::format("  {}: not sent: {}", to.address, signed_mail.error()));
    ++run.summary.failed;
    return std::nullopt;
  }
  return std::move(*signed_mail);
}

// within_size_limit - whether `mail` may go to `to`: at most dmarc.report_max_bytes and at
// most the address's own "!size" limit (destination.hpp); said and counted when not.
bool within_size_limit(Run& run, const MailtoAddress& to, const SignedMail& mail) {
  auto problem = size_limit_problem(to, mail.message, run.who.max_bytes, "dmarc.report_max_bytes");
  if (!problem) return true;
  run.say(fmt::format("  {}: not sent: {}", to.address, *problem));
  ++run.summary.too_large;
  return false;
}

// suppressed - whether `to` is suppressed now (said and counted); a store that does not
// answer counts as a failure (the run could not claim the address either).
bool suppressed(Run& run, const MailtoAddress& to) {
  auto s = is_suppressed(run.store, to.address);
  if (!s) {
    run.say(fmt::format("  {}: not sent: state store {}: {}", to.address, run.store.name(),
                        state::to_string(s.error())));
    ++run.summary.failed;
    return true;
  }
  if (!*s) return false;
  run.say(fmt::format("  {}: not sent: suppressed (postseal dmarc suppress --remove {} ends it)",
                      to.address, to.address));
  ++run.summary.suppressed;
  return true;
}

// send_once - claim, hand over, or release the claim when sendmail fails.
void send_once(Run& run, const PolicyPublished& policy, const MailtoAddress& to,
               const SignedMail& mail) {
  const auto key = keys::sent(run.options.period, policy.domain, to.address);
  auto claim =
      run.store.put_if_absent(key, "sent", retention_ttl(run.options.period, run.clock.now()));
  if (!claim) {
    run.say(fmt::format("  {}: not sent: state store {}: {}", to.address, run.store.name(),
                        state::to_string(claim.error())));
    ++run.summary.failed;
    return;
  }
  if (!*claim) {
    run.say(fmt::format("  {}: already sent", to.address));
    ++run.summary.already_sent;
    return;
  }
  if (auto sent = send_mail(run.who.sendmail, run.who.envelope_from, to.address, mail.message,
                            run.who.sendmail_timeout);
      !sent) {
    (void)run.store.erase(key);
    run.say(fmt::format("  {}: not sent: {}", to.address, sent.error()));
    ++run.summary.failed;
    return;
  }
  const auto what = fmt::format("aggregate report of {} for {}", run.options.period.text(),
                                policy.domain);
  if (auto noted = note_sent(run.store, to.address, what); !noted)
    run.say(fmt::format("  {}: note: a bounce of this report cannot suppress it: state store {}: {}",
                        to.address, run.store.name(), state::to_string(noted.error())));
  run.say(mail.signed_by.empty() ? fmt::format("  {}: sent", to.address)
                                 : fmt::format("  {}: sent, {}", to.address, mail.signed_by));
  ++run.summary.sent;
}

// deliver - the report to every usable, authorized rua address of `policy`, once each.
asio::awaitable<void> deliver(Run& run, const PolicyPublished& policy, const BuiltReport& report) {
  std::vector<std::string> done;
  for (const auto& uri : policy.rua) {
    auto to = mailto_address(uri);
    if (!to) {
      run.say(fmt::format("  rua {} ignored: not a mailto: address", printable(uri, 80)));
      continue;
    }
    if (std::find(done.begin(), done.end(), to->address) != done.end()) continue;
    done.push_back(to->address);
    auto allowed =
        co_await authorize_destination(run.discovery, run.resolver, policy.domain, to->domain);
    if (allowed == Authorization::refused || allowed == Authorization::temporary) {
      run.say(fmt::format("  {}: not sent: {}", to->address, to_string(allowed)));
      ++(allowed == Authorization::refused ? run.summary.refused : run.summary.failed);
      continue;
    }
    if (suppressed(run, *to)) continue;
    auto mail = outgoing_mail(run, policy, report, *to);
    if (!mail || !within_size_limit(run, *to, *mail)) continue;
    if (run.options.dry_run) {
      run.say(fmt::format("  {}: would be sent ({})", to->address, to_string(allowed)));
      continue;
    }
    send_once(run, policy, *to, *mail);
  }
}

// report_domain - read, build, write and send one policy domain's report.
asio::awaitable<void> report_domain(Run& run, const PolicyPublished& policy) {
  auto data = domain_data(run.store, run.options.period, policy, run.who.max_rows);
  if (!data) {
    run.say(fmt::format("error: {}: state store {}: {}", policy.domain, run.store.name(),
                        state::to_string(data.error())));
    run.summary.store_failed = true;
    co_return;
  }
  if (data->rows.empty()) co_return;
  auto report = build_report(run.who, *data, run.options.period);
  ++run.summary.reports;
  run.say(fmt::format(
      "{}: {} records, {} messages{}{}, Report-ID <{}>", policy.domain, data->rows.size(),
      data->messages,
      data->dropped ? fmt::format(", {} more over dmarc.report_max_rows", data->dropped) : "",
      data->unreadable ? fmt::format(", {} unreadable entries skipped", data->unreadable) : "",
      report.report_id));
  if (!run.options.out_dir.empty() && !write_file(run, report)) co_return;
  if (run.options.send) co_await deliver(run, policy, report);
}

}  // namespace

Submitter submitter_from(const dmarc::Reporting& r) {
  if (r.email.empty())
    throw config_error(
        "dmarc.report_email is not set: reports need a From address (e.g. "
        "dmarc-reports@example.org)");
  Submitter who;
  who.email = r.email;
  who.envelope_from = r.bounce_address;
  who.receiver = to_lower(r.email.substr(r.email.rfind('@') + 1));
  who.org_name = r.org_name.empty() ? who.receiver : r.org_name;
  who.sendmail = r.sendmail;
  who.sendmail_timeout = std::chrono::seconds(r.sendmail_timeout);
  who.max_rows = static_cast<std::size_t>(r.max_rows);
  who.max_domains = static_cast<std::size_t>(r.max_domains);
  who.max_bytes = static_cast<std::uint64_t>(r.max_bytes);
  who.format = report_format_from_string(r.format).value_or(ReportFormat::rfc9990);
  return who;
}

BuiltReport build_report(const Submitter& who, const DomainData& data, const Period& period) {
  BuiltReport report;
  report.report_id = report_id(who.receiver, data.policy.domain, period);
  report.file_name = report_file_name(who.receiver, data.policy.domain, period, report.report_id);
  ReportMetadata meta{who.org_name, who.email, "", report.report_id, period};
  GzipWriter gz;
  write_report(meta, data, [&gz](std::string_view text) { gz.write(text); }, who.format);
  report.gzip = gz.finish();
  return report;
}

asio::awaitable<RunSummary> run_reports(state::Store& store, const Clock& clock,
                                        dns::Resolver& resolver, dmarc::Discovery& discovery,
                                        const Submitter& who, const RunOptions& options,
                                        const Say& say) {
  Run run{store, clock, resolver, discovery, who, options, say, {}};
  auto policies = published_policies(store, options.period, who.max_domains);
  if (!policies) {
    say(fmt::format("error: state store {}: {}", store.name(), state::to_string(policies.error())));
    run.summary.store_failed = true;
    co_return run.summary;
  }
  for (const auto& policy : *policies) co_await report_domain(run, policy);
  co_return run.summary;
}

}  // namespace postseal::dmarc_report
