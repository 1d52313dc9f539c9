// failure_sender.cpp - the background hand-off of DMARC failure reports (see failure_sender.hpp).
#include "verifier/failure_sender.hpp"

#include "core/dmarc_report/destination.hpp"
#include "core/dmarc_report/redaction_key.hpp"
#include "core/dmarc_report/period.hpp"
#include "core/dmarc_report/sendmail.hpp"
#include "core/dmarc_report/sent_recently.hpp"
#include "core/dmarc_report/suppression.hpp"
#include "core/dns/resolver_factory.hpp"
#include "core/state/store_factory.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"
#include "signer/filter/own_mail.hpp"
#include "verifier/greylist/answer.hpp"

#include <fmt/format.h>
#include <asio/co_spawn.hpp>

#include <optional>
#include <random>

namespace postseal::verifier {
namespace {

// run_to_end - run `task` on `io` (the sender thread's own) to its end.
template <typename T>
T run_to_end(asio::io_context& io, asio::awaitable<T> task) {
  std::optional<T> out;
  std::exception_ptr error;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) out = std::move(value);
  });
  io.restart();
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

// random_octets - `n` octets from the system's random source (a new redaction key).
std::string random_octets(std::size_t n) {
  std::random_device device;
  std::string octets;
  for (std::size_t i = 0; i < n; ++i) octets += static_cast<char>(device() & 0xff);
  return octets;
}

// kept_secret - the redaction key of `path` (made there first); StartupError naming the key.
std::string kept_secret(const std::string& path) {
  auto key = dmarc_report::load_or_make_redaction_key(
      path, random_octets(dmarc_report::kRedactionKeyOctets));
  if (!key) throw config_error(fmt::format("dmarc.failure_report_redact_key: {}", key.error()));
  return *key;
}

// report_kind - "failure report" (a dmarc report, or every type when none) or "TYPE failure
// report" (TYPE its Auth-Failure).
std::string report_kind(std::optional<dmarc_report::AuthFailure> type) {
  return type && *type != dmarc_report::AuthFailure::dmarc
             ? fmt::format("{} failure report", dmarc_report::to_string(*type))
             : "failure report";
}

// report_line - "QID: dmarc: failure report for DOMAIN" (a dmarc report) or "QID: dmarc: TYPE
// failure report for DOMAIN" (TYPE its Auth-Failure), the start of every log line of a report.
std::string report_line(const FailureJob& job, std::optional<dmarc_report::AuthFailure> type) {
  const auto& r = job.report;
  const std::string kind = report_kind(type);
  return fmt::format("{}: dmarc: {} for {}", printable(r.queue_id.empty() ? "NOQUEUE" : r.queue_id, 32),
                     kind, printable(r.reported_domain));
}

// not_sent - the log line of a report of `job` (of `type`; every type when none) not sent to
// `to`, and why.
void not_sent(log::Level level, const FailureJob& job, std::optional<dmarc_report::AuthFailure> type,
              const dmarc_report::MailtoAddress& to, std::string_view why) {
  log::write(level, fmt::format("{} not sent to {}: {}", report_line(job, type), to.address, printable(why)));
}

}  // namespace

FailureSender::FailureSender(FailureSenderConfig config) : config_(std::move(config)) {}

FailureSender::~FailureSender() { stop(); }

void FailureSender::start(const Clock& clock) {
  if (thread_.joinable()) return;
  clock_ = &clock;
  const bool redact = config_.settings.redact_localpart;
  redactor_ = std::make_unique<dmarc_report::Redactor>(
      redact ? dmarc_report::Redaction::localpart : dmarc_report::Redaction::none,
      redact ? config_.redaction_secret() : std::string());
  store_ = config_.open_store(clock);
  limiter_ = std::make_unique<dmarc_report::FailureRateLimiter>(
      *store_, clock, dmarc_report::RateLimits{config_.settings.rate, config_.settings.global_rate});
  resolver_ = config_.make_resolver(io_);
  thread_ = std::thread([this] { run(); });
  log::info("dmarc: failure reports on: at most {} per address and {} in all per hour, counted in {}",
            config_.settings.rate, config_.settings.global_rate, store_->name());
}

bool FailureSender::submit(FailureJob job) {
  std::lock_guard lock(mutex_);
  if (!thread_.joinable() || stopping_ ||
      queue_.size() >= static_cast<std::size_t>(config_.settings.queue)) {
    ++stats_.dropped;
    if (!overflow_logged_)
      log::warning("{}: dmarc: failure report queue full ({} waiting): reports dropped",
                   printable(job.report.queue_id, 32), queue_.size());
    overflow_logged_ = true;
    return false;
  }
  overflow_logged_ = false;
  queue_.push_back(std::move(job));
  wake_.notify_one();
  return true;
}

void FailureSender::drain() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return (queue_.empty() && !busy_) || !thread_.joinable(); });
}

void FailureSender::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    stats_.dropped += queue_.size();
    queue_.clear();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FailureSender::run() {
  for (;;) {
    FailureJob job;
    {
      std::unique_lock lock(mutex_);
      busy_ = false;
      idle_.notify_all();
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    try {
      deliver(job);
    } catch (const std::exception& e) {
      ++stats_.failed;
      log::error("{}: dmarc: failure report for {}: {}", printable(job.report.queue_id, 32),
                 printable(job.report.reported_domain), printable(e.what()));
    }
  }
}

void FailureSender::deliver(FailureJob& job) {
  for (const auto& to : job.destinations) {
    if (!not_suppressed(job, to) || !authorized(job, to)) continue;
    for (auto type : job.types) deliver_one(job, type, to);
  }
}

bool FailureSender::not_suppressed(const FailureJob& job, const dmarc_report::MailtoAddress& to) {
  auto suppressed = dmarc_report::is_suppressed(*store_, to.address);
  if (suppressed && !*suppressed) return true;
  if (!suppressed) {
    ++stats_.failed;
    not_sent(log::Level::warning, job, std::nullopt, to,
             fmt::format("state store {}: {}", store_->name(), state::to_string(suppressed.error())));
    return false;
  }
  ++stats_.suppressed;
  not_sent(log::Level::info, job, std::nullopt, to, "suppressed");
  return false;
}

bool FailureSender::authorized(const FailureJob& job, const dmarc_report::MailtoAddress& to) {
  const auto& check = *config_.check;
  dmarc::Discovery discovery(*resolver_, check.settings.discovery, check.psl ? &*check.psl : nullptr);
  auto authorization =
      run_to_end(io_, dmarc_report::authorize_destination(discovery, *resolver_,
                                                          job.report.policy_domain, to.domain));
  if (authorization != dmarc_report::Authorization::refused &&
      authorization != dmarc_report::Authorization::temporary)
    return true;
  ++stats_.refused;
  not_sent(log::Level::info, job, job.types.size() == 1 ? std::optional(job.types.front()) : std::nullopt,
           to, dmarc_report::to_string(authorization));
  return false;
}

std::optional<dmarc_report::SignedMail> FailureSender::outgoing(
    const FailureJob& job, dmarc_report::AuthFailure type, const dmarc_report::MailtoAddress& to) {
  dmarc_report::FailureReport report = job.report;
  report.auth_failure = type;
  report.to = to.address;
  report.reporter = config_.report_email;
  report.user_agent = config_.user_agent;
  report.date = clock_->now();
  auto mail = dmarc_report::sign_mail(config_.sign,
                                      dmarc_report::failure_report_message(report, *redactor_));
  if (!mail) {
    ++stats_.failed;
    not_sent(log::Level::warning, job, type, to, mail.error());
    return std::nullopt;
  }
  if (auto problem = dmarc_report::size_limit_problem(to, mail->message, 0, "")) {
    ++stats_.too_large;
    not_sent(log::Level::info, job, type, to, *problem);
    return std::nullopt;
  }
  return std::move(*mail);
}

void FailureSender::deliver_one(const FailureJob& job, dmarc_report::AuthFailure type,
                                const dmarc_report::MailtoAddress& to) {
  auto mail = outgoing(job, type, to);
  if (!mail) return;
  auto admitted = limiter_->admit(to.address);
  if (admitted != dmarc_report::RateDecision::allowed) {
    ++stats_.rate_limited;
    not_sent(log::Level::info, job, type, to, dmarc_report::to_string(admitted));
    return;
  }
  if (auto sent = config_.send(config_.envelope_from, to.address, mail->message); !sent) {
    ++stats_.failed;
    not_sent(log::Level::warning, job, type, to, sent.error());
    return;
  }
  ++stats_.sent;
  const auto what = fmt::format("{} of {} for {}", report_kind(type),
                                dmarc_report::period_of(clock_->now()).text(),
                                job.report.reported_domain);
  if (auto noted = dmarc_report::note_sent(*store_, to.address, what); !noted)
    log::warning("{}: dmarc: a bounce of the failure report to {} cannot suppress it: state store {}: {}",
                 printable(job.report.queue_id.empty() ? "NOQUEUE" : job.report.queue_id, 32),
                 to.address, store_->name(), state::to_string(noted.error()));
  log::info("{} sent to {}{}", report_line(job, type), to.address,
            mail->signed_by.empty() ? "" : ", " + mail->signed_by);
}

std::unique_ptr<FailureSender> make_failure_sender(const config::File& file,
                                                   const dns::ResolverOptions& resolver,
                                                   std::shared_ptr<const DmarcCheck> check,
                                                   const Clock& clock) {
  if (!check) return nullptr;
  const auto reporting = dmarc::reporting_from_config(file);
  if (!reporting.failure.enable) return nullptr;
  FailureSenderConfig c;
  c.settings = reporting.failure;
  c.report_email = reporting.email;
  c.envelope_from = reporting.bounce_address;
  c.user_agent = "postseal/" + std::string(greylist::kVersion);
  c.check = std::move(check);
  c.open_store = [options = state::settings_from_config(file)](const Clock& clock) {
    return state::open_store(options, clock);
  };
  c.make_resolver = [resolver](asio::io_context& io) { return dns::make_resolver(io, resolver); };
  c.send = [sendmail = reporting.sendmail,
            timeout = std::chrono::seconds(reporting.sendmail_timeout)](
               const std::string& from, const std::string& to, std::string_view message) {
    return dmarc_report::send_mail(sendmail, from, to, message, timeout);
  };
  c.redaction_secret = [path = reporting.failure.redact_key_file] { return kept_secret(path); };
  const std::string reporting_domain =
      to_lower(c.report_email.substr(c.report_email.rfind('@') + 1));
  c.sign = signer::report_mail_signer(file, reporting_domain, clock);
  if (!c.sign)
    log::info(
        "dmarc: failure reports go out without a DKIM signature: no [[signer.domain]] key "
        "signs {} (the domain of dmarc.report_email)",
        reporting_domain);
  return std::make_unique<FailureSender>(std::move(c));
}

void submit_failure_reports(FailureSender* sender, const FailedMessage& message) {
  if (sender == nullptr) return;
  for (auto& job : failure_jobs(message)) sender->submit(std::move(job));
}

}  // namespace postseal::verifier
