// command.cpp - SMTP command, path, ESMTP parameter and XFORWARD parsing (RFC 5321 4.1).
#include "core/smtp/command.hpp"

#include "core/util/text.hpp"

#include <array>
#include <cctype>

namespace postseal::smtp {
namespace {

struct VerbName {
  std::string_view name;
  Verb verb;
};
constexpr std::array kVerbs{
    VerbName{"HELO", Verb::helo}, VerbName{"EHLO", Verb::ehlo}, VerbName{"LHLO", Verb::lhlo},
    VerbName{"MAIL", Verb::mail}, VerbName{"RCPT", Verb::rcpt}, VerbName{"DATA", Verb::data},
    VerbName{"RSET", Verb::rset}, VerbName{"NOOP", Verb::noop}, VerbName{"QUIT", Verb::quit},
    VerbName{"XFORWARD", Verb::xforward}, VerbName{"VRFY", Verb::vrfy}, VerbName{"HELP", Verb::help},
};

constexpr std::array<std::string_view, 7> kXforwardNames{"NAME", "ADDR", "PORT", "PROTO",
                                                        "HELO", "IDENT", "SOURCE"};

bool has_control(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // RFC 3461: upper-case hex only
}

}  // namespace

std::expected<Command, std::string> parse_command(std::string_view line) {
  if (line.size() > kMaxCommandLineOctets) return std::unexpected("line too long");
  if (has_control(line)) return std::unexpected("control character in command");
  std::size_t space = line.find(' ');
  std::string_view word = line.substr(0, space);
  Command c;
  c.word = std::string(word);
  if (space != std::string_view::npos) c.args = std::string(line.substr(space + 1));
  for (const auto& v : kVerbs)
    if (iequals(word, v.name)) c.verb = v.verb;
  return c;
}

std::expected<Path, std::string> parse_path(std::string_view args, std::string_view prefix) {
  if (!starts_with_icase(args, prefix))
    return std::unexpected(std::string("syntax: expected ") + std::string(prefix) + "<address>");
  std::string_view rest = trim(args.substr(prefix.size()));
  if (rest.empty() || rest.front() != '<') return std::unexpected("address must be in <>");
  std::size_t close = rest.find('>');
  if (close == std::string_view::npos) return std::unexpected("missing >");
  Path p;
  p.address = std::string(rest.substr(1, close - 1));
  if (p.address.size() > kMaxPathOctets) return std::unexpected("address too long");
  if (p.address.find_first_of("<> \t") != std::string::npos) return std::unexpected("bad address syntax");
  rest.remove_prefix(close + 1);
  while (!rest.empty()) {
    rest = trim(rest);
    if (rest.empty()) break;
    std::size_t sp = rest.find(' ');
    std::string_view param = rest.substr(0, sp);
    if (param.front() == '=') return std::unexpected("bad parameter syntax");
    p.parameters.emplace_back(param);
    rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp);
  }
  return p;
}

std::string parameter_keyword(std::string_view parameter) {
  std::string k;
  for (char c : parameter.substr(0, parameter.find('=')))
    k.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return k;
}

std::string_view parameter_value(std::string_view parameter) {
  std::size_t eq = parameter.find('=');
  return eq == std::string_view::npos ? std::string_view{} : parameter.substr(eq + 1);
}

std::expected<std::string, std::string> xtext_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 33 || c > 126 || c == '=') return std::unexpected("bad xtext character");
    if (c != '+') {
      out.push_back(static_cast<char>(c));
      continue;
    }
    if (i + 2 >= text.size()) return std::unexpected("truncated xtext escape");
    int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return std::unexpected("bad xtext escape");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::expected<std::vector<XforwardAttribute>, std::string> parse_xforward(std::string_view args) {
  std::vector<XforwardAttribute> out;
  std::string_view rest = trim(args);
  if (rest.empty()) return std::unexpected("XFORWARD needs NAME=value attributes");
  while (!rest.empty()) {
    std::size_t sp = rest.find(' ');
    std::string_view item = rest.substr(0, sp);
    rest = sp == std::string_view::npos ? std::string_view{} : trim(rest.substr(sp));
    std::size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) return std::unexpected("bad XFORWARD attribute syntax");
    std::string name = parameter_keyword(item);
    bool known = false;
    for (auto n : kXforwardNames) known = known || n == name;
    if (!known) return std::unexpected("unknown XFORWARD attribute " + printable(name, 32));
    std::string_view value = item.substr(eq + 1);
    if (value.size() > kMaxXforwardValueOctets) return std::unexpected("XFORWARD value longer than 255 octets");
    if (auto decoded = xtext_decode(value); !decoded) return std::unexpected("XFORWARD " + decoded.error());
    out.emplace_back(name, std::string(value));
  }
  return out;
}

bool is_queue_id(std::string_view s) {
  if (s.size() < 6 || s.size() > 32) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c)) return false;
  return true;
}

}  // namespace postseal::smtp
