// redact.hpp - RFC 6590 redaction of the addresses a DMARC failure report carries.
//
// RFC 6590 4: a local-part is replaced by a string derived from it with a secret the
// reporter keeps (here: "redacted-" and the first 16 hex digits of SHA-256(secret, local-part)),
// so one address always gives the same string within a secret's lifetime (the report's
// reader can correlate) and nobody without the secret can recover it; the domain stays.
// RFC 9991 7 (privacy considerations) asks reporters to redact what they must not disclose;
// dmarc.failure_report_redact selects "localpart" (default) or "none" (docs/dmarc.md).
// Untrusted input: addresses and header text from the message being reported. An address
// inside a header is found by its "@": the atext run before it and the domain characters
// after it. Limits: none beyond the input's (output size <= input size + a fixed amount
// per "@", at most kMaxRedactedAddresses of them; further ones are replaced whole by "@").
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace postseal::dmarc_report {

// kMaxRedactedAddresses - addresses redacted in one header text; the "@" of further ones
// are kept without their local-part (nothing leaks, nothing grows).
inline constexpr std::size_t kMaxRedactedAddresses = 1000;

// Redaction - dmarc.failure_report_redact.
enum class Redaction { localpart, none };
std::string_view to_string(Redaction r);
std::optional<Redaction> redaction_from_string(std::string_view s);

// Redactor - the secret and mode of one daemon.
class Redactor {
 public:
  Redactor(Redaction mode, std::string secret) : mode_(mode), secret_(std::move(secret)) {}

  Redaction mode() const { return mode_; }
  // local_part - the RFC 6590 replacement of `local` ("redacted-3f2a9c0b1d4e5f60").
  std::string local_part(std::string_view local) const;
  // address - `address` with its local-part redacted unless its domain is `keep_domain` or
  // below it (the reported domain's own names), or the mode is none.
  std::string address(std::string_view address, std::string_view keep_domain) const;
  // header_text - every address in `text` treated as address() treats one.
  std::string header_text(std::string_view text, std::string_view keep_domain) const;

 private:
  Redaction mode_;
  std::string secret_;
};

// within_domain - `domain` is `parent` or a subdomain of it (ASCII case-insensitive).
bool within_domain(std::string_view domain, std::string_view parent);

}  // namespace postseal::dmarc_report
