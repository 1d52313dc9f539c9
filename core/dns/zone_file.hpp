// zone_file.hpp - read DNS data for --dns-zone from a master-file subset (RFC 1035 5.1).
//
// Accepted lines: `name [TTL] [IN] TYPE RDATA` (TTL and class may come in either order) with
// TYPE one of A AAAA MX TXT SPF PTR CNAME, plus the test-only pseudo type `TIMEOUT` (no RDATA;
// see MemoryZone::add_timeout). TXT/SPF RDATA is one or more quoted character-strings with the
// RFC 1035 5.1 escapes `\"`, `\\`, `\X` and `\DDD` (DDD <= 255), each string at most 255 octets
// (RFC 1035 3.3); an unquoted word is one string. Parentheses let a record span lines, so the
// `( "v=DKIM1; k=rsa; " "p=..." )` output of `postseal keygen` pastes in. `;` starts a comment
// outside quotes. Names take the same escapes, label by label (`foo\058bar` is "foo:bar"; an
// escaped '.' inside a label is refused: names are kept in text form). `$ORIGIN` sets the origin
// that `@` and names without the final dot are relative to; before any `$ORIGIN` such names are
// taken as written. `$TTL` is checked, and TTLs are otherwise ignored (nothing is cached). A
// record starting with blank space belongs to the previous owner. Other directives ($INCLUDE,
// $GENERATE) are errors. Untrusted input: the file (admin- or test-supplied); every error names
// the source and the line, and the limits below hold.
#pragma once

#include "core/dns/memory_zone.hpp"
#include "core/util/hostname.hpp"

#include <cstddef>
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

namespace postseal::dns {

// kMaxZoneLineLength - octets in one physical line.
inline constexpr std::size_t kMaxZoneLineLength = 4096;
// kMaxZoneRecords - records (TIMEOUT marks included) in one file.
inline constexpr std::size_t kMaxZoneRecords = 100000;
// kMaxTxtStrings - character-strings in one TXT/SPF record.
inline constexpr std::size_t kMaxTxtStrings = 64;
// kMaxTxtStringLength - octets in one character-string (RFC 1035 3.3).
inline constexpr std::size_t kMaxTxtStringLength = 255;
// kMaxRecordLines - physical lines one parenthesised record may span.
inline constexpr std::size_t kMaxRecordLines = 64;
// kMaxZoneFileSize - octets read from a zone file.
inline constexpr std::size_t kMaxZoneFileSize = 16 * 1024 * 1024;

// read_zone_text - add the records of `text` to `zone`. On error, returns
// "SOURCE:LINE: what is wrong" and `zone` may hold the records before the bad one.
std::expected<void, std::string> read_zone_text(std::string_view text, std::string_view source,
                                                MemoryZone& zone);
// read_zone_file - the same from a file (errors also for unreadable or oversized files).
std::expected<void, std::string> read_zone_file(const std::filesystem::path& path,
                                                MemoryZone& zone);

}  // namespace postseal::dns
