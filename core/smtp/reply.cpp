// reply.cpp - SMTP reply formatting and parsing (RFC 5321 4.2).
#include "core/smtp/reply.hpp"

#include "core/smtp/command.hpp"
#include "core/util/text.hpp"

namespace postseal::smtp {

std::string Reply::text() const {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += "; ";
    out += l;
  }
  return printable(out);
}

std::string Reply::wire() const {
  std::string out;
  std::string code_text = std::to_string(code);
  if (lines.empty()) return code_text + " \r\n";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out += code_text;
    out += i + 1 == lines.size() ? ' ' : '-';
    out += lines[i];
    out += "\r\n";
  }
  return out;
}

Reply make_reply(int code, std::string_view text) { return Reply{code, {std::string(text)}}; }

std::expected<ReplyLine, std::string> parse_reply_line(std::string_view line) {
  if (line.size() > kMaxCommandLineOctets) return std::unexpected("reply line too long");
  if (line.size() < 3) return std::unexpected("reply line too short");
  for (int i = 0; i < 3; ++i)
    if (line[i] < '0' || line[i] > '9') return std::unexpected("reply code is not three digits");
  ReplyLine r;
  r.code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (r.code < 200 || r.code > 599) return std::unexpected("reply code out of range");
  if (line.size() == 3) return r;
  if (line[3] != ' ' && line[3] != '-') return std::unexpected("bad reply separator");
  r.last = line[3] == ' ';
  r.text = std::string(line.substr(4));
  return r;
}

Reply mirror(const Reply& downstream, bool allow_permanent) {
  Reply r;
  r.code = downstream.code;
  std::string text = downstream.text();
  if (downstream.permanent() && !allow_permanent) {
    r.code = 451;
    r.lines.push_back("4.3.0 downstream error: " + text);
    return r;
  }
  r.lines.push_back(text.empty() ? std::string("(no text)") : text);
  return r;
}

}  // namespace postseal::smtp
