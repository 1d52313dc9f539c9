// auth_results.hpp - the Authentication-Results header field (RFC 8601) and forged-field removal.
//
// render_authentication_results() writes one field: authserv-id, then one resinfo per SPF
// identity (`spf=pass smtp.mailfrom=...` / `smtp.helo=...`), per DKIM signature
// (`dkim=pass header.d=... header.s=... header.a=... header.b=...`) and the DomainKeys result
// (`domainkeys=...`, RFC 4870) and the DMARC result (`dmarc=...`, RFC 9989), RFC 8601 2.2 and 2.7, header.b per RFC 6008 (first
// kHeaderBOctets octets), then an optional comment. Untrusted input: every property value
// and reason (from the SMTP client, the message or DNS); values are made printable, cut to
// kMaxPropertyOctets, and quoted unless they are RFC 2045 tokens or local@domain.
// remove_forged() drops every Authentication-Results field whose authserv-id is ours
// (RFC 8601 5: compared case-insensitively, CFWS before and after it allowed, any number of
// such fields anywhere in the block; a final dot of either name is ignored, "mx.example." is
// "mx.example") — the OpenDKIM CVE-2022-48521 lesson. Comments are
// skipped with a nesting bound (kMaxCommentDepth); a field we cannot parse that still starts
// with our id in any form is treated as forged.
#pragma once

#include "core/mail/header.hpp"
#include "core/dkim/verify_result.hpp"
#include "core/domainkeys/dk_verifier.hpp"
#include "verifier/spf/spf.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::verifier {

// kMaxPropertyOctets - one property value or reason in the field.
inline constexpr std::size_t kMaxPropertyOctets = 200;
// kHeaderBOctets - how much of the signature header.b carries (RFC 6008 says at least 8).
inline constexpr std::size_t kHeaderBOctets = 12;
// kMaxCommentDepth - nested comments followed while looking for the authserv-id.
inline constexpr int kMaxCommentDepth = 16;

// SpfResinfo - one SPF identity's result: smtp.mailfrom (sender non-empty) or smtp.helo.
struct SpfResinfo {
  spf::SpfResult result = spf::SpfResult::none;
  std::string reason;    // shown as reason="..." when not empty
  std::string mailfrom;  // smtp.mailfrom, when the identity is MAIL FROM
  std::string helo;      // smtp.helo, when the identity is HELO
};

// AuthResults - everything one Authentication-Results field reports.
struct AuthResults {
  std::string authserv_id;
  std::vector<SpfResinfo> spf;
  std::vector<dkim::SignatureResult> dkim;
  std::optional<domainkeys::DkResult> domainkeys;  // reported after the DKIM results
  std::string dmarc;  // a rendered dmarc resinfo (core/dmarc/auth_result.hpp), last; "": none
  std::string comment;  // untrusted text allowed: written as " (comment)" after the last resinfo
};

// render_authentication_results - the field without CRLF. `fold` puts each resinfo on its
// own continuation line ("\r\n\t"); without it the field is one line (policy PREPEND).
std::string render_authentication_results(const AuthResults& results, bool fold = false);
// render_authentication_results_value - the same after "Authentication-Results:" (leading space).
std::string render_authentication_results_value(const AuthResults& results, bool fold = false);

// pvalue - an RFC 8601 pvalue: token or local@domain as is, else a quoted-string.
std::string pvalue(std::string_view text, std::size_t limit = kMaxPropertyOctets);

// authserv_id_of - the authserv-id at the start of an A-R field value (CFWS skipped),
// or nullopt if the value does not start with one.
std::optional<std::string> authserv_id_of(std::string_view value);

// claims_our_id - whether an A-R field value names `authserv_id` (case-insensitive).
bool claims_our_id(std::string_view value, std::string_view authserv_id);

// forged_fields - indexes of every Authentication-Results field claiming our id.
std::vector<std::size_t> forged_fields(const std::vector<mail::HeaderField>& fields,
                                       std::string_view authserv_id);

// remove_forged - erase those fields in place; returns how many were removed.
std::size_t remove_forged(std::vector<mail::HeaderField>& fields, std::string_view authserv_id);

}  // namespace postseal::verifier
