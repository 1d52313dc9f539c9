// macro.hpp - SPF macro expansion (RFC 7208 7).
//
// Input: macro-strings from DNS records and exp= texts (untrusted), and the sender, HELO and
// receiver names (untrusted, from the SMTP peer). Expansion is bounded: transformer digits
// are parsed with overflow checks and clamped (%{d2147483648} is "all labels"), the split of
// a value is bounded by its length, and the output is capped at kMaxMacroOutput octets.
// Domain results are then cut to 253 octets by removing left labels (7.3).
#pragma once

#include <asio/ip/address.hpp>

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace postseal::spf {

// Expanded text longer than this is a permerror (an exp= or domain can't need more).
inline constexpr std::size_t kMaxMacroOutput = 8192;
// Transformer digits above this are treated as "all parts" (no label count can exceed it).
inline constexpr int kMaxTransformerDigits = 128;

// MacroContext - the values the macro letters stand for (RFC 7208 7.2).
struct MacroContext {
  std::string sender;        // s
  std::string local_part;    // l
  std::string sender_domain; // o
  std::string domain;        // d (the current domain)
  asio::ip::address ip;      // i, c, v (already normalised)
  std::string validated;     // p ("unknown" if not validated)
  std::string helo;          // h
  std::string receiver;      // r
  std::int64_t timestamp = 0;// t
};

enum class MacroMode {
  domain_spec,  // letters c, r, t are errors; no spaces
  explanation,  // all letters; spaces allowed (explain-string)
};

// uses_p_macro - whether the text references %{p} (so the caller resolves it first).
bool uses_p_macro(std::string_view text);
// check_macro_string - syntax only (used by the record parser).
bool check_macro_string(std::string_view text, MacroMode mode);
// expand - the expanded text, or a reason for permerror.
std::expected<std::string, std::string> expand(std::string_view text, const MacroContext& ctx,
                                               MacroMode mode);
// expand_domain - expand() of a domain-spec, cut to 253 octets by removing left labels and
// without a final dot.
std::expected<std::string, std::string> expand_domain(std::string_view spec,
                                                      const MacroContext& ctx);
// ip_dotted - %{i}: dotted quad, or dot-separated nibbles for IPv6 (RFC 7208 7.3).
std::string ip_dotted(const asio::ip::address& ip);
// reverse_name - the in-addr.arpa / ip6.arpa name of an address (for PTR lookups).
std::string reverse_name(const asio::ip::address& ip);

}  // namespace postseal::spf
