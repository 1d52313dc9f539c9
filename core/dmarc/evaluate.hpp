// evaluate.hpp - the DMARC verdict of one message: alignment, result, policy, disposition.
//
// RFC 9989 5.3.1 (Author Domain from RFC5322.From), 4.4 / 3.2.10 (relaxed and strict
// Identifier Alignment of the SPF-validated MAIL FROM domain and of each passing DKIM d=),
// 4.10.2 (Organizational Domains for relaxed alignment), 5.3.5 (pass or fail), 4.7 and
// 4.10.1 (p for the Author Domain's own record, else sp, or np for a non-existent subdomain,
// RFC 8020), 4.7 t=y (the policy lowered one level), 5.3.6 (DNS errors: temperror, no
// policy), 11.5 (several Author Domains: each is evaluated, the strictest failing policy
// applies, at most kMaxAuthorDomains of them), 9.2 (result names). The disposition is local
// policy (RFC 9989 5.4): dmarc.enforce = policy | quarantine-only | monitor, temperror deferred
// only when asked, and a trusted-forwarder list whose failures are not acted on
// (override "forwarded"; a failure not acted on because of the enforce mode is
// "local_policy"). Untrusted input: From field values (core/mail/address.hpp parses them),
// SPF and DKIM identifiers, DNS answers (through Discovery). Per-message outcomes are values;
// nothing throws. Limits: kMaxAuthorDomains, kMaxDkimIdentifiers.
#pragma once

#include "core/dmarc/discovery.hpp"
#include "core/dmarc/record.hpp"
#include "core/net/address_list.hpp"

#include <asio/awaitable.hpp>
#include <asio/ip/address.hpp>

#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::dmarc {

// kMaxAuthorDomains - RFC 9989 11.5: Author Domains of one From evaluated at most; a message
// with more is not fully evaluated (permerror unless one of those checked fails).
inline constexpr std::size_t kMaxAuthorDomains = 4;
// kMaxDkimIdentifiers - distinct passing DKIM d= domains checked for alignment at most.
inline constexpr std::size_t kMaxDkimIdentifiers = 8;

// Result - RFC 9989 9.2 / RFC 8601 dmarc result names.
enum class Result { pass, fail, none, temperror, permerror };
std::string_view to_string(Result r);

// Enforce - dmarc.enforce: how far a failing message's policy is acted on.
enum class Enforce { policy, quarantine_only, monitor };
std::string_view to_string(Enforce e);
std::optional<Enforce> enforce_from_string(std::string_view s);

// Action - what the MTA does with the message.
enum class Action { accept, quarantine, reject, defer };
std::string_view to_string(Action a);

// Override - why a failing message's policy was not applied (RFC 9990 PolicyOverride names).
enum class Override { none, local_policy, forwarded };
std::string_view to_string(Override o);

// DkimIdentifier - one checked DKIM signature: its d= (and s=, for reports) and whether it
// passed.
struct DkimIdentifier {
  std::string d;
  std::string s;
  bool pass = false;
};

// Message - what DMARC needs of a message (RFC 9989 5.3.3).
struct Message {
  std::vector<std::string> from_fields;  // the value of every From header field, in order
  std::string spf_domain;                // the MAIL FROM (or HELO postmaster) domain SPF checked
  bool spf_pass = false;
  std::vector<DkimIdentifier> dkim;
  std::optional<asio::ip::address> client;  // the SMTP client, for trusted forwarders
};

// Options - local policy (the [dmarc] config keys).
struct Options {
  Enforce enforce = Enforce::policy;
  bool temperror_defer = false;
  net::AddressList trusted_forwarders;
};

// AuthorVerdict - the evaluation of one Author Domain.
struct AuthorVerdict {
  std::string domain;
  Result result = Result::none;
  PolicyDiscovery discovery;
  bool spf_aligned = false;
  bool dkim_aligned = false;
  std::optional<Policy> policy;     // on fail: p, sp or np as published
  std::optional<Policy> effective;  // on fail: after t=y
  std::string reason;
};

// Verdict - the DMARC outcome of one message.
struct Verdict {
  Result result = Result::none;
  std::string header_from;            // the (first) Author Domain, "" when none
  std::optional<Policy> policy;       // policy.dmarc: the policy the failure calls for
  Action action = Action::accept;
  Override override_reason = Override::none;
  std::string reason;
  std::vector<AuthorVerdict> authors;
};

// author_domains - RFC 9989 5.3.1: the distinct domains of the mailboxes of all From fields,
// checked DNS names, in order; the error says why there is none usable.
std::expected<std::vector<std::string>, std::string> author_domains(
    const std::vector<std::string>& from_fields);

// Aligned - the alignment of one identifier: yes, no, or not known (DNS failure).
enum class Aligned { yes, no, unknown };

// identifier_aligned - RFC 9989 3.2.10 / 4.4: is `identifier` (an SPF or DKIM domain, checked
// here) aligned with the checked, lower-case Author Domain `author` in `mode`: strict =
// identical, relaxed = the same Organizational Domain (found through `discovery`).
asio::awaitable<Aligned> identifier_aligned(const std::string& author, std::string_view identifier,
                                            Alignment mode, Discovery& discovery);

// lower_policy - RFC 9989 4.7 t=y: reject -> quarantine -> none.
Policy lower_policy(Policy p);

// decide_action - the Action (and Override) local policy gives a verdict's result and policy.
void decide_action(Verdict& verdict, const Options& options,
                   const std::optional<asio::ip::address>& client);

// evaluate - the verdict of `message`, asking DNS through `discovery` (whose trace() then
// holds every query).
asio::awaitable<Verdict> evaluate(const Message& message, const Options& options,
                                  Discovery& discovery);

}  // namespace postseal::dmarc
