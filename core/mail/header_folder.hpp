// header_folder.hpp - write one header field folded into lines of at most kFoldColumns octets.
//
// RFC 5322 2.1.1 (lines SHOULD be at most 78 characters), 2.2.3 (folding: CRLF followed by
// WSP). The DKIM-Signature and DomainKey-Signature writers fold with it: words go on the
// current line after a space, or on a continuation line; pieces are glued to what is there
// (h= names after a ':'); fill() spreads a long value (b=) over as many lines as it needs.
// A continuation line starts with `continuation` (" " or "\t"). Input: our own tag text, never
// untrusted octets; a single word longer than a line is written whole.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace postseal::mail {

// kFoldColumns - RFC 5322 2.1.1 recommends lines of at most 78 characters.
inline constexpr std::size_t kFoldColumns = 78;

class HeaderFolder {
 public:
  // HeaderFolder - starts the field with "NAME:".
  HeaderFolder(std::string_view name, std::string_view continuation);

  // word - " w" on this line if it fits, else w on a continuation line.
  void word(std::string_view w);
  // piece - p right after the text so far if it fits, else on a continuation line.
  void piece(std::string_view p);
  // break_line - end this line; what follows starts a continuation line.
  void break_line();
  // fill - `text` split over lines, each filled to kFoldColumns.
  void fill(std::string_view text);
  // finish - the folded field so far, ending in CRLF (the folder may go on).
  std::string finish() const;

 private:
  void append(std::string_view s);
  bool fits(std::size_t octets) const { return column_ + octets <= kFoldColumns || column_ <= 1; }

  std::string out_;
  std::string continuation_;
  std::size_t column_ = 0;
};

}  // namespace postseal::mail
