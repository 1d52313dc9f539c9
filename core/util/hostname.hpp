// hostname.hpp - the one label walker for domain names in text form, and the RFC 1035 2.3.4
// limits: a label is 1..kMaxLabelOctets octets, a name at most kMaxDomainOctets in text form
// without the final dot (kMaxWireDomainOctets on the wire).
//
// Callers pick which octets a label may hold: RFC 5321 4.1.2 / RFC 6376 3.5 LDH (letters,
// digits, '-' inside a label), LDH with '_' (DomainKeys selectors), or any octet but the
// C0 controls and DEL (RFC 7208 4.3: an SPF lookup takes whatever DNS takes). A final dot is
// never part of the name here: callers that accept one remove it first.
// Untrusted input: names from signatures, records, envelopes and config. The walker only
// reads and reports the first problem; no allocation.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace postseal {

// kMaxLabelOctets - octets in one label (RFC 1035 2.3.4).
inline constexpr std::size_t kMaxLabelOctets = 63;
// kMaxDomainOctets - octets in a name in text form, final dot excluded (RFC 1035 2.3.4: 255 on
// the wire, which holds the length octets and the root label).
inline constexpr std::size_t kMaxDomainOctets = 253;
// kMaxWireDomainOctets - octets in a name on the wire (RFC 1035 2.3.4, 3.1).
inline constexpr std::size_t kMaxWireDomainOctets = 255;

// LabelChars - which octets a label may hold.
enum class LabelChars {
  ldh,             // letters, digits, '-' (not first or last in a label)
  ldh_underscore,  // ldh, and '_' anywhere
  no_controls,     // any octet but 0x00-0x1F and 0x7F
};

// NameProblem - the first thing wrong with a name, in the order the walker finds it.
enum class NameProblem {
  empty,           // no octets at all
  too_long,        // over kMaxDomainOctets
  empty_label,     // leading, trailing or doubled dot
  label_too_long,  // over kMaxLabelOctets
  bad_character,   // outside the LabelChars set
  bad_hyphen,      // an ldh label that starts or ends with '-'
  too_few_labels,  // fewer labels than asked for
};
std::string_view to_string(NameProblem p);

// NameError - the problem and, for bad_character, the octet.
struct NameError {
  NameProblem problem;
  char character = 0;
};

// check_hostname - nullopt when `name` is at most kMaxDomainOctets of labels separated by
// single dots, each 1..kMaxLabelOctets octets of `chars`, and has at least `min_labels` labels.
std::optional<NameError> check_hostname(std::string_view name, LabelChars chars, std::size_t min_labels = 1);

// is_hostname - check_hostname() as a yes/no.
bool is_hostname(std::string_view name, LabelChars chars, std::size_t min_labels = 1);

}  // namespace postseal
