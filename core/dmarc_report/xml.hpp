// xml.hpp - the RFC 9990 aggregate report document (namespace urn:ietf:params:xml:ns:dmarc-2.0).
//
// RFC 9990 2.1 and its XML schema (tests/data/dmarc/rfc9990-dmarc-2.0.xsd): feedback/version,
// report_metadata (org_name, email, extra_contact_info, report_id, date_range, generator),
// policy_published, one record per row: row (source_ip, count, policy_evaluated with
// disposition, dkim, spf, reason), identifiers (header_from, envelope_from), auth_results
// (dkim: domain, selector, result; spf: domain, scope, result). Untrusted input: every value
// of a row came from an SMTP client, a message or DNS: xml_text() escapes markup characters
// and replaces what XML 1.0 cannot carry (controls, invalid UTF-8) by "?", so no value can
// add an element. The document is streamed to a sink in pieces of about kChunkOctets: its
// size does not bound memory.
//
// RFC 7489 format (dmarc.report_format = "rfc7489", for readers that know no other): the
// schema of RFC 7489 Appendix C (tests/data/dmarc/rfc7489-dmarc-0.1.xsd) in its namespace
// http://dmarc.org/dmarc-xml/0.1: no generator, np, testing or discovery_method; sp, pct
// (100) and fo (0) always given; disposition "pass" written as "none" (7489 has no "pass");
// override policy_test_mode (RFC 9989 t=y) written as "sampled_out", its RFC 7489 analogue
// (pct below 100); envelope_from always present; an SPF result always present (none for the
// envelope domain when SPF was not evaluated).
#pragma once

#include "core/dmarc_report/aggregate.hpp"
#include "core/dmarc_report/period.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace postseal::dmarc_report {

inline constexpr std::string_view kNamespace = "urn:ietf:params:xml:ns:dmarc-2.0";
inline constexpr std::string_view kNamespace7489 = "http://dmarc.org/dmarc-xml/0.1";

// ReportFormat - the document's format (dmarc.report_format).
enum class ReportFormat { rfc9990, rfc7489 };
std::optional<ReportFormat> report_format_from_string(std::string_view text);
std::string_view to_string(ReportFormat f);
// kChunkOctets - the writer hands text to its sink in pieces of about this size.
inline constexpr std::size_t kChunkOctets = 64 * 1024;

// ReportMetadata - RFC 9990 report_metadata.
struct ReportMetadata {
  std::string org_name;
  std::string email;
  std::string extra_contact_info;  // omitted when empty
  std::string report_id;
  Period period;
};

// xml_text - `text` as XML 1.0 character data or attribute value.
std::string xml_text(std::string_view text);

// Sink - where the document goes, piece by piece.
using Sink = std::function<void(std::string_view)>;

// write_report - the whole document for `data`, to `sink`, in `format`.
void write_report(const ReportMetadata& meta, const DomainData& data, const Sink& sink,
                  ReportFormat format = ReportFormat::rfc9990);

}  // namespace postseal::dmarc_report
