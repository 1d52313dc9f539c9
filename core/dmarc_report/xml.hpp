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
#pragma once

#include "core/dmarc_report/aggregate.hpp"
#include "core/dmarc_report/period.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace postseal::dmarc_report {

inline constexpr std::string_view kNamespace = "urn:ietf:params:xml:ns:dmarc-2.0";
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

// write_report - the whole document for `data`, to `sink`.
void write_report(const ReportMetadata& meta, const DomainData& data, const Sink& sink);

}  // namespace postseal::dmarc_report
