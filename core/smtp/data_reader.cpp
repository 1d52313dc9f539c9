// data_reader.cpp - the DATA decoder: line ends, terminator, transparency (RFC 5321 4.5.2).
#include "core/smtp/data_reader.hpp"

namespace postseal::smtp {

// append - add one content octet to the current line, within the line limit.
void DataReader::append(char c) {
  if (line_.size() >= kMaxDataLineOctets) {
    line_too_long_ = true;
    truncating_ = true;
    return;
  }
  line_.push_back(c);
}

// end_line - a line ended (crlf: with CRLF, else bare CR or LF): terminator or content.
void DataReader::end_line(bool crlf) {
  if (!crlf) ++bare_line_ends_;
  if (crlf && previous_crlf_ && !truncating_ && line_ == ".") {
    done_ = true;
    line_.clear();
    return;
  }
  std::string_view content = line_;
  if (!content.empty() && content.front() == '.') content.remove_prefix(1);
  sink_(content);
  line_.clear();
  truncating_ = false;
  previous_crlf_ = crlf;
}

std::size_t DataReader::feed(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size() && !done_) {
    char c = bytes[i++];
    ++octets_;
    if (pending_cr_) {
      pending_cr_ = false;
      if (c == '\n') {
        end_line(true);
        continue;
      }
      end_line(false);  // bare CR
      if (done_) break;
    }
    if (c == '\r') {
      pending_cr_ = true;
    } else if (c == '\n') {
      end_line(false);  // bare LF
    } else {
      append(c);
    }
  }
  return i;
}

void dot_stuff(std::string& out, std::string_view line) {
  if (!line.empty() && line.front() == '.') out.push_back('.');
  out.append(line);
  out.append("\r\n");
}

}  // namespace postseal::smtp
