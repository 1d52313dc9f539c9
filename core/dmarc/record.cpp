// record.cpp - parse a DMARC Policy Record (RFC 9989 4.7, 4.8) within bounds (see record.hpp).
//
// Untrusted input: DNS TXT text. The tag list is split with the rules of core/mail/tag_list
// (split_tags() below gives the same tags and the same first error as mail::parse_tag_list,
// as views into the text, without a string per tag); each known tag's value is checked against its
// RFC 9989 4.8 rule (quoted ABNF strings are case-insensitive, RFC 5234 2.3; only "DMARC1" is
// case-sensitive). Notes quote untrusted text through printable() so they may be logged or printed.
#include "core/dmarc/record.hpp"

#include "core/mail/tag_list.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace postseal::dmarc {
namespace {

// kNoteValueOctets - how much of a bad value a note quotes.
constexpr std::size_t kNoteValueOctets = 40;

bool is_wsp(char c) { return c == ' ' || c == '\t'; }
bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view skip_wsp(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  return s;
}

// kNoteTagOctets - how much of an unknown tag's name a note quotes.
constexpr std::size_t kNoteTagOctets = 64;

void note(Record& record, std::string_view tag, NoteKind kind, std::string text) {
  record.notes.push_back({printable(tag, kNoteTagOctets), kind, std::move(text)});
}

void note_bad_value(Record& record, std::string_view tag, std::string_view value,
                    std::string_view fallback) {
  note(record, tag, NoteKind::bad_value,
       fmt::format("{}={} is not valid, {}", tag, printable(value, kNoteValueOctets), fallback));
}

std::optional<Policy> policy_value(std::string_view v) {
  if (iequals(v, "none")) return Policy::none;
  if (iequals(v, "quarantine")) return Policy::quarantine;
  if (iequals(v, "reject")) return Policy::reject;
  return std::nullopt;
}

std::optional<Alignment> alignment_value(std::string_view v) {
  if (iequals(v, "r")) return Alignment::relaxed;
  if (iequals(v, "s")) return Alignment::strict;
  return std::nullopt;
}

std::optional<Psd> psd_value(std::string_view v) {
  if (iequals(v, "y")) return Psd::y;
  if (iequals(v, "n")) return Psd::n;
  if (iequals(v, "u")) return Psd::u;
  return std::nullopt;
}

std::optional<bool> yorn_value(std::string_view v) {
  if (iequals(v, "y")) return true;
  if (iequals(v, "n")) return false;
  return std::nullopt;
}

// strip_report_size - a URI without the obsolete "!" 1*DIGIT [k/m/g/t] suffix (RFC 9989 4.8
// obs-dmarc-report-size, to be ignored); nullopt when a "!" is followed by anything else.
std::optional<std::string_view> strip_report_size(std::string_view uri) {
  std::size_t bang = uri.find('!');
  if (bang == std::string_view::npos) return uri;
  std::string_view size = uri.substr(bang + 1);
  if (!size.empty() && std::string_view("kmgtKMGT").find(size.back()) != std::string_view::npos) {
    size.remove_suffix(1);
  }
  if (size.empty()) return std::nullopt;
  for (char c : size) {
    if (!is_digit(c)) return std::nullopt;
  }
  return uri.substr(0, bang);
}

// valid_uri - RFC 3986 3.1 scheme ":" and a non-empty rest of visible ASCII without the
// octets RFC 9989 4.8 says must be encoded (",", "!").
bool valid_uri(std::string_view uri) {
  if (uri.size() > kMaxUriOctets) return false;
  std::size_t colon = uri.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == uri.size()) return false;
  if (!is_alpha(uri.front())) return false;
  for (char c : uri.substr(0, colon)) {
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  for (char c : uri.substr(colon + 1)) {
    if (c <= 0x20 || c >= 0x7f || c == ',' || c == '!') return false;
  }
  return true;
}

// parse_uri_list - RFC 9989 4.8 dmarc-urilist: the valid URIs, at most kMaxReportUris (and
// into `published`, when given, the same entries as written, size suffix kept).
std::vector<std::string> parse_uri_list(std::string_view tag, std::string_view value,
                                        Record& record, std::vector<std::string>* published) {
  std::vector<std::string> uris;
  std::size_t dropped = 0;
  while (true) {
    std::size_t comma = value.find(',');
    std::string_view item = mail::trim_fws(value.substr(0, comma));
    auto uri = strip_report_size(item);
    if (!uri || !valid_uri(*uri)) {
      note(record, tag, NoteKind::bad_uri,
           fmt::format("{}: '{}' is not a valid URI, ignored", tag,
                       printable(item, kNoteValueOctets)));
    } else if (uris.size() >= kMaxReportUris) {
      ++dropped;
    } else {
      uris.emplace_back(*uri);
      if (published != nullptr) published->emplace_back(item);
    }
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  if (dropped > 0) {
    note(record, tag, NoteKind::uri_limit,
         fmt::format("{}: {} URIs over the limit of {} ignored", tag, dropped, kMaxReportUris));
  }
  return uris;
}

// parse_fo - RFC 9989 4.8 dmarc-fo: "0" and "1" exclusive, each value at most once.
std::optional<FailureOptions> parse_fo(std::string_view value) {
  FailureOptions fo{.all_fail = false};
  bool zero = false, one = false;
  for (std::string_view item : mail::split_colon_list(value)) {
    bool* flag = item == "0" ? &zero : item == "1" ? &one
                 : iequals(item, "d") ? &fo.dkim : iequals(item, "s") ? &fo.spf : nullptr;
    if (flag == nullptr || *flag) return std::nullopt;
    *flag = true;
  }
  if (zero && one) return std::nullopt;
  fo.all_fail = zero;
  fo.any_fail = one;
  return fo;
}

void apply_policy_tag(std::string_view tag, std::string_view value, Record& record) {
  auto policy = policy_value(value);
  if (!policy) {
    record.policy_tags_invalid = true;
    note_bad_value(record, tag, value, "see RFC 9989 4.10.1");
    return;
  }
  if (tag == "p") {
    record.p = *policy;
    record.p_present = true;
  } else if (tag == "sp") {
    record.sp = policy;
  } else {
    record.np = policy;
  }
}

bool valid_tag_name(std::string_view name) {
  if (name.empty() || !is_alpha(name.front())) return false;
  for (char c : name) {
    if (!is_alpha(c) && !is_digit(c) && c != '_') return false;
  }
  return true;
}

// Tags - a record's tags in order, views into its text (RFC 6376 3.2 through core/mail's
// rules: names ALPHA *(ALPHA / DIGIT / "_"), no duplicate, FWS trimmed, empty segments
// skipped, at most mail::kMaxTags).
struct Tags {
  std::array<std::pair<std::string_view, std::string_view>, mail::kMaxTags> tags;
  std::size_t count = 0;
};

// split_tags - mail::parse_tag_list's result (and first error) for `text` without copies.
std::optional<mail::TagListError> split_tags(std::string_view text, Tags& out) {
  if (text.size() > mail::kMaxTagListBytes) return mail::TagListError::too_large;
  while (!text.empty()) {
    std::size_t semi = text.find(';');
    std::string_view spec = text.substr(0, semi);
    text = semi == std::string_view::npos ? std::string_view() : text.substr(semi + 1);
    if (mail::trim_fws(spec).empty()) continue;
    std::size_t eq = spec.find('=');
    if (eq == std::string_view::npos) return mail::TagListError::missing_equals;
    std::string_view name = mail::trim_fws(spec.substr(0, eq));
    if (!valid_tag_name(name)) return mail::TagListError::bad_tag_name;
    for (std::size_t i = 0; i < out.count; ++i) {
      if (out.tags[i].first == name) return mail::TagListError::duplicate_tag;
    }
    if (out.count >= mail::kMaxTags) return mail::TagListError::too_many_tags;
    out.tags[out.count++] = {name, mail::trim_fws(spec.substr(eq + 1))};
  }
  return std::nullopt;
}

// apply_tag - one tag of the list after v=.
void apply_tag(std::string_view tag, std::string_view value, Record& record) {
  if (tag == "p" || tag == "sp" || tag == "np") return apply_policy_tag(tag, value, record);
  if (tag == "adkim" || tag == "aspf") {
    auto mode = alignment_value(value);
    if (!mode) return note_bad_value(record, tag, value, "default r used");
    (tag == "adkim" ? record.adkim : record.aspf) = *mode;
  } else if (tag == "psd") {
    auto psd = psd_value(value);
    if (!psd) return note_bad_value(record, tag, value, "default u used");
    record.psd = *psd;
  } else if (tag == "t") {
    auto t = yorn_value(value);
    if (!t) return note_bad_value(record, tag, value, "default n used");
    record.t = *t;
  } else if (tag == "rua" || tag == "ruf") {
    auto& published = tag == "rua" ? record.rua_published : record.ruf_published;
    published.clear();
    (tag == "rua" ? record.rua : record.ruf) = parse_uri_list(tag, value, record, &published);
  } else if (tag == "fo") {
    auto fo = parse_fo(value);
    if (!fo) return note_bad_value(record, tag, value, "default 0 used");
    record.fo = *fo;
  } else if (tag == "pct" || tag == "rf" || tag == "ri") {
    note(record, tag, NoteKind::removed_tag, fmt::format("{}= ignored (removed by RFC 9989)", tag));
  } else {
    // Any other tag: unknown, ignored (RFC 9989 4.7).
    note(record, tag, NoteKind::unknown_tag,
         fmt::format("{}= is not a DMARC tag, ignored", printable(tag, kNoteTagOctets)));
  }
}

}  // namespace

std::string_view to_string(Policy p) {
  switch (p) {
    case Policy::none: return "none";
    case Policy::quarantine: return "quarantine";
    case Policy::reject: return "reject";
  }
  return "none";
}

std::string_view to_string(NoteKind k) {
  switch (k) {
    case NoteKind::bad_value: return "bad value";
    case NoteKind::bad_uri: return "bad URI";
    case NoteKind::uri_limit: return "too many URIs";
    case NoteKind::removed_tag: return "removed tag";
    case NoteKind::unknown_tag: return "unknown tag";
    case NoteKind::policy_fallback: return "policy fallback";
  }
  return "note";
}

std::string_view to_string(Alignment a) { return a == Alignment::strict ? "s" : "r"; }

std::string_view to_string(Psd p) {
  switch (p) {
    case Psd::y: return "y";
    case Psd::n: return "n";
    case Psd::u: return "u";
  }
  return "u";
}

bool is_dmarc_record(std::string_view text) {
  text = mail::trim_fws(text);
  if (text.empty() || text.front() != 'v') return false;
  text = skip_wsp(text.substr(1));
  if (text.empty() || text.front() != '=') return false;
  text = skip_wsp(text.substr(1));
  if (!text.starts_with("DMARC1")) return false;
  text = mail::trim_fws(text.substr(6));
  return text.empty() || text.front() == ';';
}

std::expected<Record, RecordProblem> parse_record(std::string_view text) {
  if (!is_dmarc_record(text)) return std::unexpected(RecordProblem{RecordError::not_dmarc, ""});
  if (text.size() > kMaxRecordOctets) {
    return std::unexpected(RecordProblem{
        RecordError::malformed,
        fmt::format("record of {} octets (limit {})", text.size(), kMaxRecordOctets)});
  }
  Tags tags;
  if (auto error = split_tags(text, tags)) {
    return std::unexpected(
        RecordProblem{RecordError::malformed, std::string(mail::to_string(*error))});
  }
  Record record;
  for (std::size_t i = 1; i < tags.count; ++i) {
    apply_tag(tags.tags[i].first, tags.tags[i].second, record);
  }
  return record;
}

std::optional<Record> applicable(const Record& record) {
  if (!record.policy_tags_invalid) return record;
  if (record.rua.empty()) return std::nullopt;
  Record as_none = record;
  as_none.p = Policy::none;
  as_none.p_present = true;
  as_none.sp.reset();
  as_none.np.reset();
  note(as_none, "p", NoteKind::policy_fallback,
       "invalid policy tag with a valid rua: treated as p=none (RFC 9989 4.10.1)");
  return as_none;
}

}  // namespace postseal::dmarc
