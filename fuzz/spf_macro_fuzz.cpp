// spf_macro_fuzz.cpp - fuzz SPF macro expansion (RFC 7208 7, verifier/spf/macro.hpp) with a
// fuzzed macro-string AND fuzzed values for the letters (sender, IP, domain, HELO, receiver).
//
// Untrusted input: the macro-string comes from DNS, the values from the SMTP peer. Input
// layout: byte 0 picks IPv4 or IPv6 (bit 0), the next 4 or 16 bytes are the address, the rest
// is split at NUL into macro-string, sender, domain, HELO, receiver, validated name. Inputs
// over kMaxInputOctets are skipped. Checked on every input:
//   - expansions never exceed kMaxMacroOutput octets;
//   - an expansion that succeeds had valid syntax (check_macro_string agrees);
//   - a domain-spec expansion also succeeds, with the same text, as an explanation (the
//     explanation letters are a superset);
//   - expand_domain succeeds only where the domain-spec expansion does, and keeps at most
//     kMaxDomainOctets octets unless a single label is left (left labels are removed, 7.3).
// No network, no files, deterministic (fixed timestamp).
#include "core/util/hostname.hpp"
#include "verifier/spf/macro.hpp"
#include "verifier/spf/spf.hpp"

#include <asio/ip/address.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::size_t kMaxInputOctets = 16 * 1024;
constexpr std::int64_t kFixedTimestamp = 1700000000;

// take_address - the client address from the front of the input (consumed).
asio::ip::address take_address(std::string_view& in) {
  const bool v6 = (static_cast<unsigned char>(in[0]) & 1) != 0;
  in.remove_prefix(1);
  if (v6) {
    asio::ip::address_v6::bytes_type b{};
    for (std::size_t i = 0; i < b.size() && !in.empty(); ++i, in.remove_prefix(1)) b[i] = static_cast<unsigned char>(in[0]);
    return postseal::spf::normalize_ip(asio::ip::address_v6(b));
  }
  asio::ip::address_v4::bytes_type b{};
  for (std::size_t i = 0; i < b.size() && !in.empty(); ++i, in.remove_prefix(1)) b[i] = static_cast<unsigned char>(in[0]);
  return asio::ip::address_v4(b);
}

std::vector<std::string_view> split_nul(std::string_view in, std::size_t parts) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < parts) {
    auto nul = in.find('\0');
    if (nul == std::string_view::npos) break;
    out.push_back(in.substr(0, nul));
    in.remove_prefix(nul + 1);
  }
  out.push_back(in);
  out.resize(parts);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > kMaxInputOctets) return 0;
  using namespace postseal::spf;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  MacroContext ctx;
  ctx.ip = take_address(in);
  auto parts = split_nul(in, 6);
  const std::string_view text = parts[0];
  ctx.sender = std::string(parts[1]);
  ctx.sender_domain = std::string(sender_domain(ctx.sender));
  auto at = ctx.sender.rfind('@');
  ctx.local_part = at == std::string::npos ? "postmaster" : ctx.sender.substr(0, at);
  ctx.domain = std::string(parts[2]);
  ctx.helo = std::string(parts[3]);
  ctx.receiver = std::string(parts[4]);
  ctx.validated = parts[5].empty() ? "unknown" : std::string(parts[5]);
  ctx.timestamp = kFixedTimestamp;
  (void)uses_p_macro(text);

  auto expl = expand(text, ctx, MacroMode::explanation);
  if (expl && (expl->size() > kMaxMacroOutput || !check_macro_string(text, MacroMode::explanation))) std::abort();
  auto spec = expand(text, ctx, MacroMode::domain_spec);
  if (spec) {
    if (spec->size() > kMaxMacroOutput || !check_macro_string(text, MacroMode::domain_spec)) std::abort();
    if (!expl || *expl != *spec) std::abort();
  }
  auto name = expand_domain(text, ctx);
  if (name) {
    if (!spec) std::abort();
    if (name->size() > postseal::kMaxDomainOctets && name->find('.') != std::string::npos) std::abort();
  }
  (void)ip_dotted(ctx.ip);
  (void)reverse_name(ctx.ip);
  return 0;
}
