// dmarc_report_command.cpp - `postseal dmarc report`: the RFC 9990 aggregate reports of one
// day, built from the state store the milter and the proxy count into (dmarc.report_record).
//
// --period YYYY-MM-DD (default: yesterday, UTC), -o DIR (write each report as
// receiver!domain!begin!end!id.xml.gz), --send (to each rua address, through
// dmarc.report_sendmail, once per period and address), --dry-run (write, send nothing, mark
// nothing; without -o the files go to the current directory). Run daily by
// postseal-dmarc-report.timer as user postseal. Sent mail is DKIM-signed with the
// [[signer.domain]] key of report_email's domain (signer/filter/own_mail.hpp), unsigned (said
// once) without one; dmarc.report_max_bytes and an address's "!size" limit withhold a report
// that is too large; dmarc.report_format picks RFC 9990 or RFC 7489 XML (docs/dmarc.md).
// Exit: 0, 75 when the store failed or a report
// could not be written or sent (the next run tries again), 78 for config errors. Untrusted
// input: the stored data and DNS answers (core/dmarc_report checks them); the command line.
#include "cli/commands.hpp"

#include "core/dmarc/options.hpp"
#include "core/dmarc_report/run.hpp"
#include "core/dns/resolver_factory.hpp"
#include "core/state/options.hpp"
#include "core/state/store_factory.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/text.hpp"
#include "signer/filter/own_mail.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace postseal::cli {
namespace {

struct ReportArgs {
  std::string period;
  std::string out_dir;
  bool send = false;
  bool dry_run = false;
  std::string config_path;
  dns::ResolverOptions resolver;
};

// run_options - the command line checked: the period and the output directory.
dmarc_report::RunOptions run_options(const ReportArgs& args, const Clock& clock) {
  dmarc_report::RunOptions o;
  if (args.period.empty()) {
    o.period = dmarc_report::period_of(clock.now() - dmarc_report::kSecondsPerDay);
  } else if (auto p = dmarc_report::parse_period(args.period)) {
    o.period = *p;
  } else {
    throw usage_error(
        fmt::format("--period '{}': want a date YYYY-MM-DD", printable(args.period, 40)));
  }
  o.out_dir = args.out_dir.empty() && args.dry_run ? "." : args.out_dir;
  if (!o.out_dir.empty() && !std::filesystem::is_directory(o.out_dir))
    throw usage_error(fmt::format("-o '{}': not a directory", printable(o.out_dir, 200)));
  o.send = args.send;
  o.dry_run = args.dry_run;
  return o;
}

// report_signer - the SignMail of a sending run (signer/filter/own_mail.hpp); empty, said
// once, when no key signs the submitter's domain.
dmarc_report::SignMail report_signer(const config::File& file, const std::string& receiver,
                                     const Clock& clock) {
  auto sign = signer::report_mail_signer(file, receiver, clock);
  if (!sign)
    std::printf(
        "note: report mail goes out without a DKIM signature: no [[signer.domain]] key signs %s "
        "(the domain of dmarc.report_email)\n",
        receiver.c_str());
  return sign;
}

int run_report(const ReportArgs& args) {
  const SystemClock clock;
  config::File file = config::File::load_or_default(args.config_path);
  auto who = dmarc_report::submitter_from(dmarc::reporting_from_config(file));
  auto options = run_options(args, clock);
  if (options.send && !options.dry_run) who.sign = report_signer(file, who.receiver, clock);
  auto discovery_mode = dmarc::settings_from_config(file).discovery;
  dns::ResolverOptions resolver_options = args.resolver;
  dns::apply_config(file, resolver_options);
  auto store = state::open_store(state::settings_from_config(file), clock);
  asio::io_context io;
  auto resolver = dns::make_resolver(io, resolver_options);
  std::optional<dmarc::PublicSuffixList> psl;
  if (discovery_mode == dmarc::Mode::psl)
    psl = dmarc::load_public_suffix_list(dmarc::settings_from_config(file).public_suffix_list);
  dmarc::Discovery discovery(*resolver, discovery_mode, psl ? &*psl : nullptr);
  dmarc_report::RunSummary summary;
  auto say = [](const std::string& line) { std::printf("%s\n", line.c_str()); };
  asio::co_spawn(io,
                 dmarc_report::run_reports(*store, clock, *resolver, discovery, who, options, say),
                 [&summary](std::exception_ptr e, dmarc_report::RunSummary s) {
                   if (e) std::rethrow_exception(e);
                   summary = s;
                 });
  io.run();
  std::printf(
      "period %s: %d reports, %d written, %d sent, %d already sent, %d refused, %d too large, "
      "%d suppressed, %d failed\n",
      options.period.text().c_str(), summary.reports, summary.written, summary.sent,
      summary.already_sent, summary.refused, summary.too_large, summary.suppressed,
      summary.failed);
  std::fflush(stdout);
  return summary.store_failed || summary.failed > 0 ? kExitTempFail : kExitOk;
}

}  // namespace

void add_dmarc_report_command(CLI::App& dmarc, Runner& run) {
  auto args = std::make_shared<ReportArgs>();
  auto* sub = dmarc.add_subcommand(
      "report",
      "Build the DMARC aggregate reports (RFC 9990) of one day from the state store the milter and "
      "proxy count into (dmarc.report_record): one gzipped XML report per policy domain; write "
      "them "
      "(-o DIR) and/or mail them to each rua address through sendmail (--send), once per day and "
      "address (exit 0; 75: store, write or send failure, run again; 78: config)");
  sub->add_option("--period", args->period,
                  "the UTC day to report, YYYY-MM-DD (default: yesterday)");
  sub->add_option("-o,--output", args->out_dir,
                  "write each report file (.xml.gz) into this directory");
  sub->add_flag(
      "--send", args->send,
      "mail each report to its rua addresses (external ones only when their _report._dmarc "
      "record allows it) through dmarc.report_sendmail, and mark them sent");
  sub->add_flag("--dry-run", args->dry_run,
                "write the files (to -o DIR, else the current directory), send and mark nothing");
  sub->add_option("-c,--config", args->config_path,
                  "config file for [dmarc], [state] and [dns] (default /etc/postseal/postseal.toml "
                  "if present)");
  dns::add_resolver_options(sub, args->resolver);
  sub->callback([&run, args] { run = [args] { return run_report(*args); }; });
}

}  // namespace postseal::cli
