// record.hpp - the SPF record parser (RFC 7208 4.5, 4.6, 5, 6, 12).
//
// Input: one SPF record's text from DNS (untrusted, any bytes). The whole record is checked
// before evaluation (RFC 7208 4.6: a syntax error anywhere is permerror): terms separated by
// SP only, known mechanisms, strict CIDR lengths (0-32 / 0-128, no leading zeros), strict
// IP literals, domain-specs ending in a macro or a non-numeric toplabel, redirect= and exp=
// at most once, unknown modifiers with a valid name and macro-string. Bounded: at most
// kMaxRecordLength octets and kMaxTerms terms are accepted.
#pragma once

#include <asio/ip/address.hpp>

#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::spf {

// Records longer than this are refused (DNS allows ~64 KB; real records are < 1 KB).
inline constexpr std::size_t kMaxRecordLength = 4096;
// Terms per record accepted by the parser.
inline constexpr std::size_t kMaxTerms = 256;

enum class Qualifier : char { pass = '+', fail = '-', softfail = '~', neutral = '?' };

enum class MechanismKind { all, include, a, mx, ptr, ip4, ip6, exists };

std::string_view to_string(MechanismKind kind);

struct Mechanism {
  Qualifier qualifier = Qualifier::pass;
  MechanismKind kind = MechanismKind::all;
  std::string domain_spec;     // include, a, mx, ptr, exists (empty: the current domain)
  asio::ip::address network;   // ip4, ip6
  int cidr4 = 32;              // a, mx, ip4
  int cidr6 = 128;             // a, mx, ip6
  std::string text;            // the term as written, for reports
  bool queries_dns() const;
};

struct Modifier {
  std::string name;  // lower case
  std::string value;
};

struct Record {
  std::vector<Mechanism> mechanisms;
  std::optional<std::string> redirect;  // domain-spec
  std::optional<std::string> exp;       // domain-spec
  std::vector<Modifier> unknown;
};

// is_spf_record - true if the text starts with "v=spf1" followed by SP or its end (4.5).
bool is_spf_record(std::string_view text);
// parse_record - the record, or the reason it is a permerror.
std::expected<Record, std::string> parse_record(std::string_view text);
// valid_domain_spec - domain-spec syntax (RFC 7208 12), macros allowed per 7.1.
bool valid_domain_spec(std::string_view spec);

}  // namespace postseal::spf
