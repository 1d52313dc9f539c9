// dk_canon.hpp - RFC 4870 3.4 DomainKeys canonicalization: "simple" and "nofws", streamed.
//
// 3.4.2.1 simple: header fields and body lines as they are. 3.4.2.2 nofws: every SP, HTAB, CR
// and LF is removed from each header field (which unfolds it) and from each body line, and
// each line is re-terminated with CRLF. In both, trailing empty lines of the body are ignored,
// and when the body consists only of empty lines the empty line that separates it from the
// header is ignored too (the separator is treated as the first "body line", as Mail::DKIM
// does). A body that does not end in CRLF keeps its last line unterminated.
// BodyCanonicalizer consumes body octets (CRLF line ends, dot-unstuffed) in chunks split
// anywhere; only a pending CR and a count of pending empty lines cross chunk borders, so
// chunked output equals one-pass output and memory is O(1). Untrusted input: message octets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postseal::domainkeys {

enum class DkCanon { simple, nofws };

std::string_view to_string(DkCanon canon);  // "simple", "nofws" (the c= value)
// parse_canon - a c= value or config string (case-insensitive); nullopt if unknown.
std::optional<DkCanon> parse_canon(std::string_view text);

// canonicalize_header - one field (raw, without its final CRLF) -> canonical line with CRLF.
std::string canonicalize_header(DkCanon canon, std::string_view raw_field);

// BodyCanonicalizer - the header/body separator and the body, canonicalized as they arrive.
class BodyCanonicalizer {
 public:
  explicit BodyCanonicalizer(DkCanon canon) : canon_(canon) {}
  // update - canonicalize `chunk`, appending the octets that are final to `out`.
  void update(std::string_view chunk, std::string& out);
  // finish - end of body: append what is still pending (never trailing empty lines).
  void finish(std::string& out);

 private:
  void update_simple(std::string_view chunk, std::string& out);
  void update_nofws(std::string_view chunk, std::string& out);
  void end_line(std::string& out);
  void begin_content(std::string& out);

  DkCanon canon_;
  std::uint64_t pending_empty_lines_ = 1;  // the separator counts as the first empty line
  bool line_has_content_ = false;
  bool pending_cr_ = false;
};

}  // namespace postseal::domainkeys
