// failure_sender.hpp - DMARC failure reports handed off in the background: a bounded queue and
// one thread that checks each destination, counts it against the rate limits and runs
// sendmail, so a report never delays or loses the message it is about.
//
// RFC 9991 4 / RFC 9990 3.4: an external ruf destination needs its
// POLICY._report._dmarc.DEST TXT record (core/dmarc_report/destination.hpp, the check the
// aggregate reports use); RFC 9991 7: rate limits (core/dmarc_report/rate_limit.hpp, in the
// state store); RFC 7489 6.2: a ruf address's "!size" limit withholds a report over it from
// that address (core/dmarc_report/destination.hpp size_limit_problem, the aggregate reports'
// rule: the header part is not cut to fit, it would no longer be the whole header RFC 6591
// 3.3's text/rfc822-headers part carries). The mail goes to `dmarc.report_sendmail -i -f
// dmarc.report_bounce_address -- ADDR` (core/dmarc_report/sendmail.hpp, the aggregate reports'
// hand-off; the envelope sender is where bounces go), and each hand-off is noted
// (core/dmarc_report/sent_recently.hpp) so that a bounce of it may suppress the address; a
// suppressed address (core/dmarc_report/suppression.hpp, is_suppressed: the aggregate run's
// rule) gets nothing. The mail is DKIM-signed first as the aggregate report mail is
// (core/dmarc_report/sign_mail.hpp: the [[signer.domain]] key of report_email's domain, unsigned
// without one; RFC 9991 asks report mail to pass DMARC aligned). The thread has its own io_context, resolver (the daemon's [dns] options)
// and store connection; submit() never blocks: a full queue drops the job, counts it and logs once
// per overflow. A suppressed address gets nothing (logged "... not sent to ADDR: suppressed").
// A job's other destinations each get every report type of the job (dmarc, a DKIM
// type, spf: core/dmarc_report/failure_trigger.hpp); the destination check is made once per
// destination, the size limit and the rate limits count each report message alike, whatever
// its type. Log lines (Postfix style): "QID: dmarc: failure report for DOMAIN sent to ADDR"
// (a dmarc report; the others name their Auth-Failure type: "QID: dmarc: spf failure report
// for DOMAIN sent to ADDR"), "QID: dmarc: failure report for DOMAIN not sent to ADDR: rate
// limit" (or "suppressed", or the refusal's reason).
// Untrusted input: the jobs' values (failure_report.hpp bounds them) and DNS answers. Limits:
// dmarc.failure_report_queue jobs waiting; each job's destinations (kMaxFailureDestinations)
// and types (kMaxReportsPerAuthor).
#pragma once

#include "core/dmarc/options.hpp"
#include "core/dmarc_report/rate_limit.hpp"
#include "core/dmarc_report/sign_mail.hpp"
#include "core/dns/resolver.hpp"
#include "core/dns/resolver_factory.hpp"
#include "core/state/options.hpp"
#include "verifier/dmarc_check.hpp"
#include "verifier/dmarc_failure.hpp"

#include <asio/io_context.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace postseal::config {
class File;
}  // namespace postseal::config

namespace postseal::verifier {

// FailureSenderStats - what happened to the reports (for logs and tests).
struct FailureSenderStats {
  std::atomic<std::uint64_t> sent{0}, rate_limited{0}, refused{0}, failed{0}, dropped{0};
  std::atomic<std::uint64_t> too_large{0};  // over the ruf address's "!size" limit
  std::atomic<std::uint64_t> suppressed{0};  // the ruf address is suppressed (a bounce, by hand)
};

// FailureSenderConfig - everything the thread needs.
struct FailureSenderConfig {
  dmarc::FailureReporting settings;
  std::string report_email;
  std::string envelope_from;  // sendmail -f: dmarc.report_bounce_address (default report_email)
  std::string user_agent;
  std::shared_ptr<const DmarcCheck> check;  // discovery mode and PSL of the external check
  // open_store - the store the limits are counted in (opened on the thread's start)
  std::function<std::unique_ptr<state::Store>(const Clock&)> open_store;
  // make_resolver - the thread's own resolver on its io_context
  std::function<std::unique_ptr<dns::Resolver>(asio::io_context&)> make_resolver;
  // send - hand one message to sendmail (from, to, message); the error says why not
  std::function<std::expected<void, std::string>(const std::string&, const std::string&, std::string_view)> send;
  // redaction_secret - the RFC 6590 key, asked for once by start() (after privileges are
  // dropped) when redacting: read from dmarc.failure_report_redact_key, made there first
  std::function<std::string()> redaction_secret;
  dmarc_report::SignMail sign;   // signs each report (empty: sent unsigned)
};

// FailureSender - one per daemon.
class FailureSender {
 public:
  explicit FailureSender(FailureSenderConfig config);
  ~FailureSender();
  FailureSender(const FailureSender&) = delete;
  FailureSender& operator=(const FailureSender&) = delete;

  // start - open the store, get the redaction key and start the thread (once, after
  // privileges are dropped). Throws StartupError.
  void start(const Clock& clock);
  // submit - queue `job`; false (dropped, counted, logged once per overflow) when full or not
  // started. Never blocks on DNS, the store or sendmail.
  bool submit(FailureJob job);
  // drain - wait until the queue is empty and the thread idle (tests, shutdown).
  void drain();
  // stop - finish the job in hand, drop the rest, join the thread.
  void stop();

  const FailureSenderStats& stats() const { return stats_; }

 private:
  void run();
  void deliver(FailureJob& job);
  void deliver_one(const FailureJob& job, dmarc_report::AuthFailure type,
                   const dmarc_report::MailtoAddress& to);
  // not_suppressed - whether `to` may get reports now; counted and logged when not.
  bool not_suppressed(const FailureJob& job, const dmarc_report::MailtoAddress& to);
  // authorized - RFC 9990 3.4 for `to`; counted and logged when not.
  bool authorized(const FailureJob& job, const dmarc_report::MailtoAddress& to);
  // outgoing - the signed report of `type` for `to` within its size limit; nullopt (counted,
  // logged) if not.
  std::optional<dmarc_report::SignedMail> outgoing(const FailureJob& job, dmarc_report::AuthFailure type,
                                                   const dmarc_report::MailtoAddress& to);

  FailureSenderConfig config_;
  const Clock* clock_ = nullptr;
  asio::io_context io_;
  std::unique_ptr<dns::Resolver> resolver_;
  std::unique_ptr<state::Store> store_;
  std::unique_ptr<dmarc_report::FailureRateLimiter> limiter_;
  std::unique_ptr<dmarc_report::Redactor> redactor_;
  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<FailureJob> queue_;
  bool stopping_ = false, busy_ = false, overflow_logged_ = false;
  std::thread thread_;
  FailureSenderStats stats_;
};

// make_failure_sender - when dmarc.enable and dmarc.failure_reports, else null; reads
// [dmarc], [state] and the [[signer.domain]] tables (report signing, on `clock`, which must
// outlive the sender); the resolver is made from `resolver` (the daemon's [dns] options).
// Throws StartupError.
std::unique_ptr<FailureSender> make_failure_sender(const config::File& file,
                                                   const dns::ResolverOptions& resolver,
                                                   std::shared_ptr<const DmarcCheck> check,
                                                   const Clock& clock);

// submit_failure_reports - the jobs of `message` queued on `sender` (null: nothing).
void submit_failure_reports(FailureSender* sender, const FailedMessage& message);

}  // namespace postseal::verifier
