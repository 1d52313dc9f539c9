// row.hpp - one row of a DMARC aggregate report and the policy published, as stored.
//
// RFC 9990 2.1 (the record: row/source_ip, policy_evaluated, identifiers, auth_results; the
// policy_published element). A Row is what one message contributes; messages with equal Rows
// are counted together. Stored as one line of tab-separated fields, each percent-escaped
// ("%", tab, CR, LF and other controls as %XX), so a hostile value can neither split a field
// nor inject one. Untrusted input: every field comes from the SMTP client, the message or DNS
// (already checked by their parsers), and a stored value read back from a shared store is
// decoded defensively (nullopt when malformed). Limits: kMaxFieldOctets per field (longer
// values are cut), kMaxDkimPerRow signatures per row (the rest dropped), the encoding at most
// state::kMaxValueOctets (a larger row is refused by the recorder).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::dmarc_report {

// kMaxFieldOctets - a field (domain, selector, address, result name) is cut to this.
inline constexpr std::size_t kMaxFieldOctets = 255;
// kMaxDkimPerRow - DKIM results kept per row (RFC 9990 2.1 asks for at most 100).
inline constexpr std::size_t kMaxDkimPerRow = 8;
// kMaxRuaPerDomain - rua URIs kept per policy domain (dmarc::kMaxReportUris).
inline constexpr std::size_t kMaxRuaPerDomain = 10;

// DkimAuth - one DKIM signature of the message: d=, s= and its RFC 8601 result.
struct DkimAuth {
  std::string domain;
  std::string selector;
  std::string result;
  bool operator==(const DkimAuth&) const = default;
};

// Row - RFC 9990 RecordType without the count: what groups messages together.
struct Row {
  std::string source_ip;
  std::string header_from;    // identifiers/header_from
  std::string envelope_from;  // identifiers/envelope_from ("" for the null sender)
  std::string spf_domain;     // auth_results/spf/domain ("" when SPF was not checked)
  std::string spf_scope;      // "mfrom" or "helo"
  std::string spf_result;     // RFC 8601 SPF result name
  std::vector<DkimAuth> dkim;
  std::string disposition;    // policy_evaluated/disposition: none, pass, quarantine, reject
  bool dkim_aligned = false;  // policy_evaluated/dkim pass or fail
  bool spf_aligned = false;   // policy_evaluated/spf pass or fail
  std::string override_type;  // policy_evaluated/reason/type, "" when none
  bool operator==(const Row&) const = default;
};

// PolicyPublished - RFC 9990 policy_published of one policy domain, and where reports go.
struct PolicyPublished {
  std::string domain;
  std::string p = "none";
  std::string sp, np;  // "" when the record had none
  std::string adkim = "r", aspf = "r";
  std::string testing = "n";     // t=y -> "y"
  std::string psd = "u";         // kept for the operator; RFC 9990 has no element for it
  std::string discovery_method;  // "treewalk" or "psl"
  std::vector<std::string> rua;
  bool operator==(const PolicyPublished&) const = default;
};

// encode_row / decode_row - the stored form of a Row and back (nullopt when malformed).
std::string encode_row(const Row& row);
std::optional<Row> decode_row(std::string_view text);

// encode_policy / decode_policy - the same for a PolicyPublished.
std::string encode_policy(const PolicyPublished& policy);
std::optional<PolicyPublished> decode_policy(std::string_view text);

// digest - a stable 32-hex-digit name of `text` (SHA-256, cut): the same on every host.
std::string digest(std::string_view text);

}  // namespace postseal::dmarc_report
