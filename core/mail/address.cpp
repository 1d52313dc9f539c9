// address.cpp - RFC 5322 3.4 mailbox lists (see address.hpp).
#include "core/mail/address.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

namespace postseal::mail {

namespace {

// Scanner - splits a mailbox-list into the addr-spec text of each mailbox.
struct Scanner {
  std::vector<std::string> specs;  // one per mailbox
  std::string plain;               // text outside angle brackets, comments removed
  std::string angle;               // text inside <...>
  bool has_angle = false;
  bool in_angle = false;
  bool has_group = false;

  void end_mailbox() {
    std::string spec = has_angle ? angle : plain;
    if (!trim(spec).empty()) specs.push_back(std::string(trim(spec)));
    plain.clear();
    angle.clear();
    has_angle = false;
  }
  void put(char c) { (in_angle ? angle : plain).push_back(c); }
};

// skip_comment - s[i] is "(": return the index after the matching ")", or npos.
std::size_t skip_comment(std::string_view s, std::size_t i) {
  int depth = 0;
  for (; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '(') {
      if (++depth > kMaxCommentDepth) return std::string_view::npos;
    } else if (s[i] == ')') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

// copy_quoted - s[i] is '"': append the quoted string to the scanner, return the next index.
std::size_t copy_quoted(std::string_view s, std::size_t i, Scanner& sc) {
  sc.put('"');
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      sc.put(s[i]);
      sc.put(s[++i]);
    } else if (s[i] == '"') {
      sc.put('"');
      return i + 1;
    } else {
      sc.put(s[i]);
    }
  }
  return std::string_view::npos;
}

// to_mailbox - "local@domain" (obsolete route removed, whitespace dropped) -> Mailbox.
std::expected<Mailbox, std::string> to_mailbox(std::string spec) {
  if (auto colon = spec.rfind(':'); colon != std::string::npos && spec.front() == '@') {
    spec.erase(0, colon + 1);  // obs-route "@a,@b:"
  }
  std::string compact;  // whitespace dropped outside quoted strings
  bool quoted = false;
  for (std::size_t i = 0; i < spec.size(); ++i) {
    char c = spec[i];
    if (c == '"') quoted = !quoted;
    if (quoted && c == '\\' && i + 1 < spec.size()) {
      compact.push_back(c);
      compact.push_back(spec[++i]);
      continue;
    }
    if (quoted || (c != ' ' && c != '\t' && c != '\r' && c != '\n')) compact.push_back(c);
  }
  auto at = compact.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == compact.size()) {
    return std::unexpected(fmt::format("no address in \"{}\"", printable(compact, 80)));
  }
  std::string domain = to_lower(std::string_view(compact).substr(at + 1));
  if (domain.back() == '.') domain.pop_back();
  if (domain.empty()) return std::unexpected("empty domain in address");
  // RFC 5322 3.4.1: a dot-atom has no empty label ("a..b", ".a", "a.." are not domains)
  if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string::npos)
    return std::unexpected(fmt::format("empty label in domain \"{}\"", printable(domain, 80)));
  return Mailbox{compact.substr(0, at), domain};
}

// Scanned - the addr-spec text of each mailbox, and whether a group was seen.
struct Scanned {
  std::vector<std::string> specs;
  bool has_group = false;
};

std::expected<Scanned, std::string> scan(std::string_view s) {
  Scanner sc;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '(') {
      i = skip_comment(s, i);
      if (i == std::string_view::npos) return std::unexpected("unbalanced or too deep comment");
      sc.put(' ');
      continue;
    }
    if (c == '"') {
      i = copy_quoted(s, i, sc);
      if (i == std::string_view::npos) return std::unexpected("unterminated quoted string");
      continue;
    }
    ++i;
    if (c == '<' && !sc.in_angle) {
      sc.in_angle = sc.has_angle = true;
      sc.angle.clear();
    } else if (c == '>' && sc.in_angle) {
      sc.in_angle = false;
    } else if ((c == ',' || c == ';') && !sc.in_angle) {
      sc.end_mailbox();
    } else if (c == ':' && !sc.in_angle) {
      sc.plain.clear();  // group display name
      sc.has_group = true;
    } else {
      sc.put(c);
    }
    if (sc.specs.size() > kMaxMailboxesPerField) return std::unexpected("too many mailboxes");
  }
  if (sc.in_angle) return std::unexpected("unterminated angle address");
  sc.end_mailbox();
  if (sc.specs.size() > kMaxMailboxesPerField) return std::unexpected("too many mailboxes");
  return Scanned{std::move(sc.specs), sc.has_group};
}

}  // namespace

std::expected<AddressList, std::string> parse_address_list(std::string_view value) {
  auto scanned = scan(value);
  if (!scanned) return std::unexpected(scanned.error());
  AddressList out;
  out.has_group = scanned->has_group;
  for (auto& spec : scanned->specs) {
    auto box = to_mailbox(std::move(spec));
    if (!box) return std::unexpected(box.error());
    out.mailboxes.push_back(std::move(*box));
  }
  return out;
}

std::expected<Mailbox, std::string> single_mailbox(std::string_view value) {
  auto list = parse_address_list(value);
  if (!list) return std::unexpected(list.error());
  if (list->has_group) return std::unexpected("a group where a mailbox belongs");
  if (list->mailboxes.size() != 1) {
    return std::unexpected(fmt::format("{} mailboxes", list->mailboxes.size()));
  }
  return std::move(list->mailboxes.front());
}

std::expected<std::string, std::string> unquoted_local_part(std::string_view local) {
  std::string out;
  bool quoted = false;
  for (std::size_t i = 0; i < local.size(); ++i) {
    const char c = local[i];
    if (c == '"') {
      quoted = !quoted;
    } else if (c == '\\' && !quoted) {
      return std::unexpected("a backslash outside a quoted string");
    } else if (c == '\\') {
      if (++i == local.size()) return std::unexpected("a backslash ends the quoted string");
      out.push_back(local[i]);  // quoted-pair: the octet itself
    } else if (!quoted || (c != '\r' && c != '\n')) {
      out.push_back(c);  // a CRLF inside quotes is folding, semantically invisible (3.2.4)
    }
  }
  if (quoted) return std::unexpected("an unterminated quoted string");
  return out;
}

std::expected<Mailbox, std::string> author_mailbox(const std::vector<HeaderField>& fields) {
  std::size_t count = count_fields(fields, "From");
  if (count == 0) return std::unexpected("no From header");
  if (count > 1) return std::unexpected("more than one From header");
  for (const auto& f : fields) {
    if (!f.is("From")) continue;
    auto box = single_mailbox(f.value());
    if (!box) return std::unexpected("From: " + box.error());
    return box;
  }
  return std::unexpected("no From header");
}

}  // namespace postseal::mail
