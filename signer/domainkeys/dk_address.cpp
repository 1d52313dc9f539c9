// dk_address.cpp - mailbox parsing and the Sender-else-From rule (see dk_address.hpp).
#include "signer/domainkeys/dk_address.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

namespace postseal::domainkeys {

namespace {

// Scanner - splits a mailbox-list into the addr-spec text of each mailbox.
struct Scanner {
  std::vector<std::string> specs;  // one per mailbox
  std::string plain;               // text outside angle brackets, comments removed
  std::string angle;               // text inside <...>
  bool has_angle = false;
  bool in_angle = false;

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
  return Mailbox{compact.substr(0, at), domain};
}

std::expected<std::vector<std::string>, std::string> scan(std::string_view s) {
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
    } else {
      sc.put(c);
    }
    if (sc.specs.size() > kMaxMailboxesPerField) return std::unexpected("too many mailboxes");
  }
  if (sc.in_angle) return std::unexpected("unterminated angle address");
  sc.end_mailbox();
  if (sc.specs.size() > kMaxMailboxesPerField) return std::unexpected("too many mailboxes");
  return sc.specs;
}

// single_mailbox - the one mailbox of a field, or why there is not exactly one.
std::expected<Mailbox, std::string> single_mailbox(const mail::HeaderField& field) {
  auto boxes = parse_mailboxes(field.value());
  if (!boxes) return std::unexpected(boxes.error());
  if (boxes->size() != 1) {
    return std::unexpected(fmt::format("{} has {} mailboxes", printable(field.name(), 40),
                                       boxes->size()));
  }
  return boxes->front();
}

}  // namespace

std::expected<std::vector<Mailbox>, std::string> parse_mailboxes(std::string_view value) {
  auto specs = scan(value);
  if (!specs) return std::unexpected(specs.error());
  std::vector<Mailbox> out;
  for (auto& spec : *specs) {
    auto box = to_mailbox(std::move(spec));
    if (!box) return std::unexpected(box.error());
    out.push_back(std::move(*box));
  }
  return out;
}

std::expected<SendingAddress, std::string> sending_address(
    const std::vector<const mail::HeaderField*>& fields) {
  std::vector<const mail::HeaderField*> senders, froms;
  for (const auto* f : fields) {
    if (f->is("Sender")) senders.push_back(f);
    if (f->is("From")) froms.push_back(f);
  }
  if (senders.size() > 1) return std::unexpected(fmt::format("{} Sender fields", senders.size()));
  if (senders.size() == 1) {
    auto box = single_mailbox(*senders.front());
    if (!box) return std::unexpected("Sender: " + box.error());
    return SendingAddress{std::move(*box), "sender"};
  }
  if (froms.empty()) return std::unexpected("no From or Sender field");
  if (froms.size() > 1) {
    return std::unexpected(fmt::format("{} From fields and no Sender", froms.size()));
  }
  auto box = single_mailbox(*froms.front());
  if (!box) return std::unexpected("From: " + box.error() + " and there is no Sender");
  return SendingAddress{std::move(*box), "from"};
}

bool domain_covers(std::string_view signing_domain, std::string_view domain) {
  if (!signing_domain.empty() && signing_domain.back() == '.') signing_domain.remove_suffix(1);
  if (signing_domain.empty()) return false;
  if (iequals(domain, signing_domain)) return true;
  if (domain.size() <= signing_domain.size() + 1) return false;
  std::string_view tail = domain.substr(domain.size() - signing_domain.size());
  return domain[domain.size() - signing_domain.size() - 1] == '.' && iequals(tail, signing_domain);
}

}  // namespace postseal::domainkeys
