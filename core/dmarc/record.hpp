// record.hpp - the DMARC Policy Record: one TXT record at _dmarc.DOMAIN as a value struct.
//
// RFC 9989 4.7 (tags and defaults), 4.8 (formal definition), 4.10.1 (a record without a
// valid p, or with an invalid sp or np). Untrusted input: DNS TXT data (the strings already
// joined, RFC 9989 4.5). The record is an RFC 6376 3.2 tag-value list (core/mail/tag_list;
// RFC 9989 4.7 takes its syntax from there), so a duplicate tag, a tag without "=" or a bad
// tag name make the whole record invalid (malformed). "v=DMARC1" must be the first tag
// (value case-sensitive), else the text is not a DMARC record at all (not_dmarc: discarded).
// Unknown tags are ignored (and noted); a bad value of a known tag falls back to the tag's default
// (RFC 9989 4.8: "Syntax errors in the remainder of the record MUST be discarded in favor of
// default values (if any) or ignored outright"); pct, rf and ri (RFC 7489, removed by RFC 9989
// C.5.2) are noted and ignored. Limits: kMaxRecordOctets octets per record, kMaxReportUris
// URIs per rua/ruf list (the rest dropped and noted), kMaxUriOctets per URI.
#pragma once

#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::dmarc {

// kMaxRecordOctets - a longer record is refused as malformed (real ones are under 500).
inline constexpr std::size_t kMaxRecordOctets = 4096;
// kMaxReportUris - rua/ruf URIs kept per list; more are dropped (and noted).
inline constexpr std::size_t kMaxReportUris = 10;
// kMaxUriOctets - a longer rua/ruf URI is ignored as invalid.
inline constexpr std::size_t kMaxUriOctets = 512;

// Policy - RFC 9989 4.7 dmarc-request: the Domain Owner Assessment Policy.
enum class Policy { none, quarantine, reject };
// Alignment - RFC 9989 4.7 dmarc-rors: adkim / aspf.
enum class Alignment { relaxed, strict };
// Psd - RFC 9989 4.7 dmarc-psd.
enum class Psd { y, n, u };

std::string_view to_string(Policy p);
std::string_view to_string(Alignment a);
std::string_view to_string(Psd p);

// FailureOptions - RFC 9989 4.7 fo: which failures a failure report is asked for.
struct FailureOptions {
  bool all_fail = true;   // "0": all mechanisms failed to give an aligned pass
  bool any_fail = false;  // "1": any mechanism failed to give an aligned pass
  bool dkim = false;      // "d"
  bool spf = false;       // "s"
};

// NoteKind - what a Note says about a tag: the lint of `postseal dns-check` tells a Domain
// Owner which of these to fix (bad_value, bad_uri, uri_limit, policy_fallback) and which are
// only information (removed_tag, unknown_tag); evaluation only prints them.
enum class NoteKind {
  bad_value,        // a known tag's value is not valid: its default applies (RFC 9989 4.8)
  bad_uri,          // a rua/ruf entry is not a valid URI: ignored
  uri_limit,        // more than kMaxReportUris URIs: the rest ignored
  removed_tag,      // pct, rf, ri: removed by RFC 9989 (C.5.2), ignored
  unknown_tag,      // not a tag of RFC 9989 4.7: ignored
  policy_fallback,  // invalid p/sp/np with a valid rua: treated as p=none (RFC 9989 4.10.1)
};
std::string_view to_string(NoteKind k);

// Note - one thing the parser ignored or replaced, and the tag it concerns.
struct Note {
  std::string tag;  // "p", "rua", "pct", an unknown tag's name (at most 64 octets, printable)
  NoteKind kind = NoteKind::bad_value;
  std::string text;  // the whole sentence, printable and bounded
};

// Record - a parsed DMARC Policy Record; fields named after the tags, defaults of RFC 9989 4.7.
struct Record {
  Policy p = Policy::none;
  bool p_present = false;            // p absent: treated as p=none (RFC 9989 4.7)
  std::optional<Policy> sp;          // absent: p applies to subdomains
  std::optional<Policy> np;          // absent: sp (or p) applies to non-existent subdomains
  Psd psd = Psd::u;
  bool t = false;                    // t=y: test mode, policy lowered one level
  Alignment adkim = Alignment::relaxed;
  Alignment aspf = Alignment::relaxed;
  std::vector<std::string> rua;      // syntactically valid URIs only, at most kMaxReportUris
  // rua_published - the same URIs as written, with an obsolete "!size" suffix (RFC 9989 4.8
  // obs-dmarc-report-size) kept: the report run honours it (core/dmarc_report/destination.hpp).
  std::vector<std::string> rua_published;
  std::vector<std::string> ruf;
  // ruf_published - the same for ruf: the failure report sender honours the suffix too.
  std::vector<std::string> ruf_published;
  FailureOptions fo;
  // policy_tags_invalid - p present with a bad value, or sp/np with a bad value: RFC 9989
  // 4.10.1 then asks for p=none when rua holds a valid URI, else no DMARC processing.
  bool policy_tags_invalid = false;
  std::vector<Note> notes;           // what was ignored and why (at most mail::kMaxTags + 2)
};

// RecordError - why a TXT string gave no Record.
enum class RecordError {
  not_dmarc,  // v=DMARC1 is not the first tag: not a DMARC record (RFC 9989 4.7 v, 4.10 step 2)
  malformed,  // starts with v=DMARC1 but is no valid tag list, or longer than kMaxRecordOctets
};

struct RecordProblem {
  RecordError error = RecordError::not_dmarc;
  std::string detail;  // "duplicate tag", "record of 5000 octets (limit 4096)"
};

// is_dmarc_record - `text` starts with the tag v=DMARC1 (RFC 9989 4.8 dmarc-version), the
// test RFC 9989 4.10 step 2 uses to keep or discard a TXT record.
bool is_dmarc_record(std::string_view text);

// parse_record - the Record of one TXT record's joined text.
std::expected<Record, RecordProblem> parse_record(std::string_view text);

// applicable - RFC 9989 4.10.1: the record to act on, or nullopt when no DMARC processing
// applies (p, sp or np invalid and no valid rua URI). A record with invalid policy tags and a
// valid rua acts as "p=none" (sp and np dropped).
std::optional<Record> applicable(const Record& record);

}  // namespace postseal::dmarc
