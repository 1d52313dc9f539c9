// dmarc_bounce_command.cpp - `postseal dmarc bounce`: one bounce (RFC 3464 DSN) of our report
// mail on stdin, as Postfix's pipe(8) delivers mail for dmarc.report_bounce_address to it
// (conf/postfix/dmarc-bounce-master.cf, dmarc-bounce-main.cf); addresses whose reports failed
// for good are suppressed (core/dmarc_report/bounce.hpp).
//
// Reads at most kMaxDsnOctets (10 MiB) octets and no more (a longer message is discarded
// unread beyond that), LF or CRLF line ends; parses it (core/dmarc_report/dsn.hpp); decides
// each recipient against the state store of [state] for dmarc.bounce_suppress_days. Logs one
// line per recipient and one with the counts, Postfix style, to syslog (mail) unless --log
// stderr:
//   4F1A2B3C4D: dmarc bounce: rua@example.net: suppressed for 30 days (5.1.1, aggregate
//   report of 2026-12-06 for example.com bounced)
//   4F1A2B3C4D: dmarc bounce: DSN from dns; mx.example.net: 1 suppressed, 0 temporary, ...
// Exit status, as a pipe(8) transport wants it: 0 when the message was handled, including
// one that is no DSN or names no address of ours (logged and discarded: a bounce is never
// bounced); 75 (EX_TEMPFAIL) when the state store could not be opened or failed, so Postfix
// keeps the message and retries; 78 for a configuration error. Untrusted input: the message
// (from anyone who can mail the bounce address) and the --queue-id value (printable, cut).
#include "cli/commands.hpp"

#include "core/dmarc/options.hpp"
#include "core/dmarc_report/bounce.hpp"
#include "core/dmarc_report/dsn.hpp"
#include "core/mail/line_ends.hpp"
#include "core/net/daemon.hpp"
#include "core/state/options.hpp"
#include "core/state/store_factory.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>

namespace postseal::cli {
namespace {

struct BounceArgs {
  std::string config_path;
  std::string queue_id;
  net::LogOptions log;
};

// read_at_most - up to `limit` + 1 octets of `in` (one more than allowed tells "too large");
// nullopt on a read error.
std::optional<std::string> read_at_most(std::FILE* in, std::size_t limit) {
  std::string out;
  char buf[64 * 1024];
  while (out.size() <= limit) {
    const std::size_t want = std::min(sizeof buf, limit + 1 - out.size());
    const std::size_t n = std::fread(buf, 1, want, in);
    out.append(buf, n);
    if (n < want) break;
  }
  if (std::ferror(in)) return std::nullopt;
  return out;
}

// Bounce - one run: the log prefix and the settings.
struct Bounce {
  std::string prefix;  // "QID: dmarc bounce: " or "dmarc bounce: "
  std::int64_t suppress_days;
  state::Options store;

  template <typename... Args>
  void say(log::Level level, fmt::format_string<Args...> f, Args&&... a) const {
    log::write(level, prefix + fmt::format(f, std::forward<Args>(a)...));
  }
};

// decide - the recipients of `dsn` decided against the store; the exit status.
int decide(const Bounce& b, const dmarc_report::Dsn& dsn) {
  if (dsn.skipped > 0)
    b.say(log::Level::info, "{} recipient groups without usable Final-Recipient, Action or Status skipped",
          dsn.skipped);
  if (dsn.recipients.empty()) {
    b.say(log::Level::info, "discarded: no recipient in the DSN (from {})",
          dsn.reporting_mta.empty() ? "an unnamed MTA" : dsn.reporting_mta);
    return kExitOk;
  }
  const SystemClock clock;
  std::unique_ptr<state::Store> store;
  try {
    store = state::open_store(b.store, clock);
  } catch (const StartupError& e) {
    b.say(log::Level::warning, "state store: {}; the DSN stays queued", e.what());
    return kExitTempFail;
  }
  const auto outcomes = dmarc_report::handle_bounce(*store, dsn, b.suppress_days);
  for (const auto& outcome : outcomes) {
    const bool failed = outcome.decision == dmarc_report::BounceDecision::store_failed;
    b.say(failed ? log::Level::warning : log::Level::info, "{}{}",
          dmarc_report::describe(outcome, b.suppress_days), failed ? "; the DSN stays queued" : "");
    if (failed) return kExitTempFail;
  }
  b.say(log::Level::info, "DSN from {}: {}",
        dsn.reporting_mta.empty() ? "an unnamed MTA" : dsn.reporting_mta,
        dmarc_report::summarize(outcomes));
  return kExitOk;
}

int run_bounce(const BounceArgs& args) {
  net::start_logging("postseal/dmarc-bounce", args.log);
  Bounce b;
  b.prefix = args.queue_id.empty() ? "dmarc bounce: "
                                   : printable(args.queue_id, 32) + ": dmarc bounce: ";
  try {
    config::File file = config::File::load_or_default(args.config_path);
    b.suppress_days = dmarc::reporting_from_config(file).bounce_suppress_days;
    b.store = state::settings_from_config(file);
  } catch (const StartupError& e) {
    b.say(log::Level::error, "{}", e.what());
    throw;
  }
  auto message = read_at_most(stdin, dmarc_report::kMaxDsnOctets);
  if (!message) {
    b.say(log::Level::warning, "cannot read the message from stdin; the DSN stays queued");
    return kExitTempFail;
  }
  if (message->size() > dmarc_report::kMaxDsnOctets) {
    b.say(log::Level::info, "discarded: message over {} octets (not read further)",
          dmarc_report::kMaxDsnOctets);
    return kExitOk;
  }
  auto dsn = dmarc_report::parse_dsn(mail::to_crlf(*message));
  if (!dsn) {
    b.say(log::Level::info, "discarded: not a delivery status notification we can read: {}",
          dmarc_report::to_string(dsn.error()));
    return kExitOk;
  }
  return decide(b, *dsn);
}

}  // namespace

void add_dmarc_bounce_command(CLI::App& dmarc, Runner& run) {
  auto args = std::make_shared<BounceArgs>();
  auto* sub = dmarc.add_subcommand(
      "bounce",
      "Read one bounce (RFC 3464 DSN) of report mail on stdin, as Postfix's pipe(8) delivers "
      "mail for dmarc.report_bounce_address: each rua/ruf address that failed for good (Action "
      "failed, Status 5.x.x) and got a report from us in the last 30 days is suppressed for "
      "dmarc.bounce_suppress_days; delayed (4.x.x) ones are only logged. Reads at most 10 MiB. "
      "Exit 0 when handled (a message that is no DSN is logged and discarded), 75 when the state "
      "store failed (Postfix retries), 78 for a configuration error");
  sub->add_option("-c,--config", args->config_path,
                  "config file for [dmarc] and [state] (default /etc/postseal/postseal.toml if "
                  "present)");
  sub->add_option("--queue-id", args->queue_id,
                  "the Postfix queue id of the DSN, put first on each log line (pipe(8): "
                  "--queue-id ${queue_id})");
  net::add_log_options(sub, args->log);
  sub->callback([&run, args] { run = [args] { return run_bounce(*args); }; });
}

}  // namespace postseal::cli
