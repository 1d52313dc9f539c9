// options.cpp - [dmarc] keys -> Settings (see options.hpp).
#include "core/dmarc/options.hpp"

#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace postseal::dmarc {
namespace {

constexpr config::Key kKeys[] = {
    {"dmarc.enable", config::Type::boolean, "false", 0, 0,
     "the milter and the before-queue proxy evaluate DMARC (dmarc= in Authentication-Results) "
     "and act on failures as dmarc.enforce says"},
    {"dmarc.discovery", config::Type::string, "\"treewalk\"", 0, 0,
     "how DMARC policies and Organizational Domains are found: \"treewalk\" (RFC 9989 DNS tree "
     "walk) or \"psl\" (RFC 7489, the public suffix list)"},
    {"dmarc.public_suffix_list", config::Type::string,
     "\"/usr/share/publicsuffix/public_suffix_list.dat\"", 0, 0,
     "the public suffix list file of discovery = \"psl\" (Debian package publicsuffix)"},
    {"dmarc.enforce", config::Type::string, "\"policy\"", 0, 0,
     "what a DMARC failure leads to: \"policy\" (reject or quarantine as published), "
     "\"quarantine-only\" (reject becomes quarantine) or \"monitor\" (header only)"},
    {"dmarc.temperror_defer", config::Type::boolean, "false", 0, 0,
     "answer a DMARC temperror (DNS failure) with a 4xx deferral instead of accepting"},
    {"dmarc.trusted_forwarders", config::Type::strings, "[]", 0, 0,
     "client addresses or networks (CIDR) whose DMARC failures are not acted on (forwarders, "
     "mailing lists); reported as override \"forwarded\""},
    {"dmarc.report_record", config::Type::boolean, "false", 0, 0,
     "count every DMARC-evaluated message in the state store ([state]) for the aggregate "
     "reports of `postseal dmarc report` (RFC 9990)"},
    {"dmarc.report_email", config::Type::string, "\"\"", 0, 0,
     "the From address of aggregate reports and their report_metadata email; its domain is the "
     "submitter (required by `postseal dmarc report`)"},
    {"dmarc.report_bounce_address", config::Type::string, "\"\"", 0, 0,
     "the envelope sender (sendmail -f) of aggregate and failure report mail, where their "
     "bounces go; route it to `postseal dmarc bounce` (conf/postfix/dmarc-bounce-*.cf) so "
     "addresses whose reports bounce are suppressed (default: dmarc.report_email)"},
    {"dmarc.bounce_suppress_days", config::Type::integer, "30", 1, kMaxSuppressDays,
     "days `postseal dmarc bounce` suppresses an rua/ruf address whose report mail bounced "
     "(failed, 5.x.x) and that got a report from us within the last 30 days"},
    {"dmarc.report_org_name", config::Type::string, "\"\"", 0, 0,
     "report_metadata org_name of aggregate reports (default: the domain of report_email)"},
    {"dmarc.report_sendmail", config::Type::string, "\"/usr/sbin/sendmail\"", 0, 0,
     "the sendmail program report mail is handed to (run as "
     "SENDMAIL -i -f REPORT_BOUNCE_ADDRESS -- RUA)"},
    {"dmarc.report_sendmail_timeout", config::Type::integer, "30", 1, kMaxSendmailTimeoutSeconds,
     "seconds one report's hand-off to dmarc.report_sendmail may take (aggregate and failure "
     "reports); a sendmail still running then is killed, the report counted as failed and "
     "logged naming the address; a verifier stop waits at most this long for a failure report"},
    {"dmarc.report_max_rows", config::Type::integer, "10000", 1, kMaxReportEntries,
     "records (distinct rows) kept per policy domain and day; messages beyond are counted as "
     "dropped"},
    {"dmarc.report_max_domains", config::Type::integer, "10000", 1, kMaxReportEntries,
     "policy domains recorded per day; messages of further domains are not recorded"},
    {"dmarc.report_max_bytes", config::Type::integer, "10485760", kMinReportMaxBytes,
     kMaxReportMaxBytes,
     "the largest report mail (octets with CRLF line ends) `postseal dmarc report --send` hands "
     "to sendmail for one rua address; a smaller limit in the address (RFC 7489 mailto:A!10m) "
     "wins; a report over it is not sent to that address, and the run says so"},
    {"dmarc.report_format", config::Type::string, "\"rfc9990\"", 0, 0,
     "the aggregate report format: \"rfc9990\" (namespace urn:ietf:params:xml:ns:dmarc-2.0) or "
     "\"rfc7489\" (the RFC 7489 schema, for report readers that know no other)"},
    {"dmarc.failure_reports", config::Type::boolean, "false", 0, 0,
     "send RFC 9991 failure reports to the ruf= mailto: addresses of a failing message's "
     "policy, as its fo= tag asks (header only, never the body), through "
     "dmarc.report_sendmail from dmarc.report_email"},
    {"dmarc.failure_report_redact", config::Type::string, "\"localpart\"", 0, 0,
     "\"localpart\": local-parts of addresses outside the reported domain are replaced as "
     "RFC 6590 says and Original-Rcpt-To is left out; \"none\": sent as they are"},
    {"dmarc.failure_report_redact_key", config::Type::string,
     "\"/var/lib/postseal/dmarc-redact.key\"", 0, 0,
     "the file keeping the RFC 6590 redaction key (made 0600 at the first start with "
     "failure_report_redact = \"localpart\", by the user the verifier runs as), so an address "
     "redacts the same way after a restart; an absolute path"},
    {"dmarc.failure_report_rate", config::Type::integer, "10", 1, kMaxFailureRate,
     "failure reports per ruf address and clock hour, counted in the state store ([state]) so "
     "MX hosts sharing a Redis share the limit; further ones are not sent"},
    {"dmarc.failure_report_global_rate", config::Type::integer, "100", 1, kMaxFailureRate,
     "failure reports per clock hour to all addresses together"},
    {"dmarc.failure_report_queue", config::Type::integer, "100", 1, kMaxFailureQueue,
     "failure reports waiting to be handed to sendmail at most; when full, further ones are "
     "dropped (counted, logged once)"},
};

// check_address - a report address key's value (`key`, "" = unset) is an address sendmail
// cannot read as an option; a config error naming the key otherwise.
void check_address(const config::File& file, std::string_view key, const std::string& address) {
  const auto at = address.rfind('@');
  if (!address.empty() &&
      (at == 0 || at == std::string::npos || !domain_name(address.substr(at + 1)) ||
       address.front() == '-' || has_control(address) ||
       address.find_first_of(" <>\"") != std::string::npos))
    throw config_error(fmt::format("{}: {} \"{}\": want an address like dmarc-reports@example.org",
                                   file.where(key), key, printable(address)));
}

}  // namespace

Mode parse_mode(std::string_view value, std::string_view where) {
  if (auto mode = mode_from_string(value)) return *mode;
  throw config_error(fmt::format("{}: dmarc.discovery \"{}\": want \"treewalk\" or \"psl\"",
                                 where, printable(value)));
}

Enforce parse_enforce(std::string_view value, std::string_view where) {
  if (auto enforce = enforce_from_string(value)) return *enforce;
  throw config_error(fmt::format("{}: dmarc.enforce \"{}\": want \"policy\", "
                                 "\"quarantine-only\" or \"monitor\"", where, printable(value)));
}

PublicSuffixList load_public_suffix_list(std::string_view path) {
  auto list = PublicSuffixList::load(path);
  if (!list) throw config_error(list.error());
  return std::move(*list);
}

Reporting reporting_from_config(const config::File& file) {
  config::declare(kKeys);
  Reporting r;
  r.record = file.boolean("dmarc.report_record");
  r.email = file.string("dmarc.report_email");
  r.org_name = file.string("dmarc.report_org_name");
  r.bounce_address = file.string("dmarc.report_bounce_address");
  r.bounce_suppress_days = file.integer("dmarc.bounce_suppress_days");
  r.sendmail = file.string("dmarc.report_sendmail");
  r.sendmail_timeout = file.integer("dmarc.report_sendmail_timeout");
  r.max_rows = file.integer("dmarc.report_max_rows");
  r.max_domains = file.integer("dmarc.report_max_domains");
  r.max_bytes = file.integer("dmarc.report_max_bytes");
  r.format = file.string("dmarc.report_format");
  if (r.format != "rfc9990" && r.format != "rfc7489")
    throw config_error(fmt::format("{}: dmarc.report_format \"{}\": want \"rfc9990\" or \"rfc7489\"",
                                   file.where("dmarc.report_format"), printable(r.format)));
  r.failure.enable = file.boolean("dmarc.failure_reports");
  r.failure.rate = file.integer("dmarc.failure_report_rate");
  r.failure.global_rate = file.integer("dmarc.failure_report_global_rate");
  r.failure.queue = file.integer("dmarc.failure_report_queue");
  const std::string redact = file.string("dmarc.failure_report_redact");
  if (redact != "localpart" && redact != "none")
    throw config_error(fmt::format("{}: dmarc.failure_report_redact \"{}\": want \"localpart\" or \"none\"",
                                   file.where("dmarc.failure_report_redact"), printable(redact)));
  r.failure.redact_localpart = redact == "localpart";
  r.failure.redact_key_file = file.string("dmarc.failure_report_redact_key");
  if (r.failure.redact_key_file.empty() || r.failure.redact_key_file.front() != '/' ||
      has_control(r.failure.redact_key_file))
    throw config_error(fmt::format(
        "{}: dmarc.failure_report_redact_key \"{}\": want an absolute path",
        file.where("dmarc.failure_report_redact_key"), printable(r.failure.redact_key_file)));
  if (r.failure.enable && r.email.empty())
    throw config_error(fmt::format("{}: dmarc.failure_reports needs dmarc.report_email (the report's sender)",
                                   file.where("dmarc.failure_reports")));
  check_address(file, "dmarc.report_email", r.email);
  check_address(file, "dmarc.report_bounce_address", r.bounce_address);
  if (r.bounce_address.empty()) r.bounce_address = r.email;
  if (r.sendmail.empty() || r.sendmail.front() != '/')
    throw config_error(fmt::format("{}: dmarc.report_sendmail \"{}\": want an absolute path",
                                   file.where("dmarc.report_sendmail"), printable(r.sendmail)));
  return r;
}

Settings settings_from_config(const config::File& file) {
  config::declare(kKeys);
  Settings s;
  s.enable = file.boolean("dmarc.enable");
  s.discovery = parse_mode(file.string("dmarc.discovery"), file.where("dmarc.discovery"));
  s.public_suffix_list = file.string("dmarc.public_suffix_list");
  s.options.enforce = parse_enforce(file.string("dmarc.enforce"), file.where("dmarc.enforce"));
  s.options.temperror_defer = file.boolean("dmarc.temperror_defer");
  for (const std::string& entry : file.strings("dmarc.trusted_forwarders")) {
    if (auto added = s.options.trusted_forwarders.add(entry); !added) {
      throw config_error(fmt::format("{}: dmarc.trusted_forwarders: {}",
                                     file.where("dmarc.trusted_forwarders"), added.error()));
    }
  }
  s.reporting = reporting_from_config(file);
  return s;
}

std::span<const config::Key> config_keys() { return kKeys; }

}  // namespace postseal::dmarc
