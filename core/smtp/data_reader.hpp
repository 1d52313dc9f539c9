// data_reader.hpp - decode the SMTP DATA stream into message lines (RFC 5321 4.1.1.4, 4.5.2).
//
// Untrusted input: the bytes a client sends after DATA, split anywhere. End of data is
// CRLF "." CRLF only (the "." line must end in CRLF and follow a line that ended in CRLF, or
// be the first line); LF.LF, LF.CRLF, CRLF.LF, CR.CR and CR.CRLF are ordinary lines (docs/security.md
// 1-2, SMTP smuggling). Bare LF and bare CR end a line and are normalised to CRLF. A leading
// "." of every other line is removed (transparency). Limits: a line longer than
// kMaxDataLineOctets is marked (line_too_long) and the excess dropped, so memory is bounded.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace postseal::smtp {

// kMaxDataLineOctets - longest message line kept (RFC 5321 4.5.3.1.6 says 1000 with CRLF;
// real mail and Postfix's line_length_limit go further, so allow more but not without bound).
inline constexpr std::size_t kMaxDataLineOctets = 64 * 1024;

// DataReader - feed raw DATA bytes; each complete line (CRLF removed, unstuffed) goes to the
// sink; feed() returns how many input bytes were consumed (stops right after the terminator,
// so anything after it is the next command).
class DataReader {
 public:
  using LineSink = std::function<void(std::string_view line)>;
  explicit DataReader(LineSink sink) : sink_(std::move(sink)) {}

  std::size_t feed(std::string_view bytes);
  bool done() const { return done_; }
  // line_too_long - some line exceeded kMaxDataLineOctets (its excess was dropped).
  bool line_too_long() const { return line_too_long_; }
  // bare_line_ends - how many bare CR or bare LF line ends were normalised.
  std::size_t bare_line_ends() const { return bare_line_ends_; }
  // octets - message octets seen so far (before unstuffing), for size limits.
  std::size_t octets() const { return octets_; }

 private:
  void append(char c);
  void end_line(bool crlf);

  LineSink sink_;
  std::string line_;
  bool pending_cr_ = false;       // a CR was the last byte seen; LF may follow
  bool previous_crlf_ = true;     // the previous line ended in CRLF (DATA itself did)
  bool done_ = false;
  bool line_too_long_ = false;
  bool truncating_ = false;
  std::size_t bare_line_ends_ = 0;
  std::size_t octets_ = 0;
};

// dot_stuff - append `line` + CRLF to `out`, doubling a leading "." (RFC 5321 4.5.2).
void dot_stuff(std::string& out, std::string_view line);

}  // namespace postseal::smtp
