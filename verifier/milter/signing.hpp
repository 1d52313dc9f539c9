// signing.hpp - the milter's signing half (OpenDKIM's `Mode sv`): which messages are ours to
// sign and how the signature fields reach the MTA. `milter.mode` chooses: "verify" (default,
// the inbound checks only), "sign" (sign internal mail, pass the rest untouched) or
// "sign+verify" (sign internal mail, verify the rest). Internal mail (docs/milter-signing.md):
// the client address is in milter.internal_hosts (default 127.0.0.0/8 and ::1, which is also
// where Postfix's sendmail/pickup mail and its own bounces seem to come from under
// non_smtpd_milters), the client authenticated ({auth_authen}), or Postfix's {daemon_name}
// macro is in milter.sign_daemons (default ORIGINATING, Debian's master.cf submission line:
// -o milter_macro_daemon_name=ORIGINATING). Internal mail is signed with the [[signer.domain]]
// and [[signer.sender]] rows of the content filter (signer/filter/sign_step.hpp: same key
// choice, signer.multiple_signatures included, through signature_plan.hpp; same refusal of
// an ambiguous From, same require_signature tempfail) and is not SPF/DKIM-checked.
//
// Untrusted input: the macros and client address the MTA relays, and the signature text the
// signer produced (split into fields here). Limits: the header caps of session.hpp (a header
// block too large to sign is refused 552 5.3.4, as the content filter does), at most
// kMaxSignDaemons daemon names of kMaxDaemonNameOctets each.
#pragma once

#include "core/net/address_list.hpp"
#include "signer/filter/signing_table.hpp"

#include <asio/ip/address.hpp>

#include <cstddef>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::config {
class File;
}
namespace postseal {
class Clock;
}

namespace postseal::milter {

// kMaxSignDaemons / kMaxDaemonNameOctets - milter.sign_daemons' bounds.
inline constexpr std::size_t kMaxSignDaemons = 64;
inline constexpr std::size_t kMaxDaemonNameOctets = 64;

// Mode - milter.mode.
enum class Mode { verify, sign, sign_verify };

// parse_mode - "verify" | "sign" | "sign+verify".
std::expected<Mode, std::string> parse_mode(std::string_view text);
std::string_view to_string(Mode mode);

// Signing - the milter's signing settings, part of the rules a SIGHUP replaces whole.
struct Signing {
  Mode mode = Mode::verify;
  net::AddressList internal_hosts;
  std::vector<std::string> sign_daemons;
  std::shared_ptr<const signer::SigningTable> table;  // set when mode signs

  bool signs() const { return mode != Mode::verify; }
  bool verifies() const { return mode != Mode::sign; }
};

// Origin - what the MTA told about where a message comes from.
struct Origin {
  std::optional<asio::ip::address> client;
  std::string sasl_username;  // {auth_authen}
  std::string daemon_name;    // {daemon_name}
};

// internal_reason - why a message is internal ("client 127.0.0.1 in milter.internal_hosts",
// "authenticated as alice", "daemon ORIGINATING in milter.sign_daemons"), or nothing.
std::optional<std::string> internal_reason(const Signing& signing, const Origin& origin);

// signing_from_config - milter.mode (or `mode_override`), milter.internal_hosts,
// milter.sign_daemons and, when the mode signs, the signing table ([[signer.domain]], with
// keys.rotation the active rotated keys). Errors name the key or key file.
std::expected<std::shared_ptr<const Signing>, std::string> signing_from_config(
    const config::File& file, const std::optional<std::string>& mode_override, const Clock& clock);

// MtaField - one header field as the milter API takes it: name, and the value after the
// colon with its leading space and LF line breaks.
struct MtaField {
  std::string name;
  std::string value;
};

// split_fields - "Name: value\r\n\tmore\r\nName2: ...\r\n" (what SignStep::finish returns)
// into fields, in order; text that is not a field (no colon) is an error.
std::expected<std::vector<MtaField>, std::string> split_fields(std::string_view text);

// sign_refusal - the answer to internal mail whose header block was not read whole (`problem`:
// Session::header_problem, one of session.hpp's k* texts): relay::problem_reply's for the same
// fault, as the content filter answers the same message (552 5.3.4 too many fields or too
// large, 554 5.6.0 malformed).
std::string sign_refusal(std::string_view problem);

}  // namespace postseal::milter
