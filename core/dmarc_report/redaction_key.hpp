// redaction_key.hpp - the RFC 6590 redaction key of the failure reports, kept in a file so
// that one address redacts to the same string across restarts (redact.hpp).
//
// dmarc.failure_report_redact_key names the file (default
// /var/lib/postseal/dmarc-redact.key): 64 lower-case hex digits (kRedactionKeyOctets random
// octets) and a newline, mode 0600, made by the verifier on its first start with
// failure_report_redact = "localpart" (as the user it runs as), read on every later start.
// It is made whole or not at all (written to a temporary name, then linked into place, so two
// processes starting together agree on one key). Untrusted input: the file (local); a file
// that group or others may access, that is no regular file or that holds anything else is
// refused with a message naming it. Limits: at most kRedactionKeyFileOctets are read.
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

namespace postseal::dmarc_report {

// kRedactionKeyOctets - the key's length (SHA-256's block-size half: 256 bits).
inline constexpr std::size_t kRedactionKeyOctets = 32;
// kRedactionKeyFileOctets - the file's exact size: the hex digits and a newline.
inline constexpr std::size_t kRedactionKeyFileOctets = 2 * kRedactionKeyOctets + 1;
// load_or_make_redaction_key - the key in `path`; when there is no such file, `fresh`
// (kRedactionKeyOctets random octets from the caller's source) is stored there first and
// returned. The error names the file and what is wrong with it.
std::expected<std::string, std::string> load_or_make_redaction_key(const std::string& path,
                                                                   std::string_view fresh);

}  // namespace postseal::dmarc_report
