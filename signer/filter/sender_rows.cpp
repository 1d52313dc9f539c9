// sender_rows.cpp - read [[signer.sender]] rows (see sender_rows.hpp).
#include "signer/filter/sender_rows.hpp"

#include "core/util/config.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace postseal::signer {
namespace {

// at - "FILE, line N: signer.sender[].KEY" for the row's key (the row's line when absent).
std::string at(const config::File& file, const toml::table& t, std::string_view key) {
  const toml::node* n = t.get(key);
  const auto line = (n != nullptr ? n->source() : t.source()).begin.line;
  if (line == 0) return fmt::format("{}: signer.sender[].{}", file.source(), key);
  return fmt::format("{}, line {}: signer.sender[].{}", file.source(), line, key);
}

// within - `d` is `domain` or a parent of it.
bool within(std::string_view domain, std::string_view d) {
  return domain == d || (domain.size() > d.size() && domain.ends_with(d) &&
                         domain[domain.size() - d.size() - 1] == '.');
}

// signing_domain - d=: the row's domain, else the address's when it names one.
std::string signing_domain(const config::File& file, const toml::table& t, const SenderPattern& p,
                           Problems& found) {
  std::string d = to_lower(config::table_string(t, "domain", "signer.sender[].domain"));
  if (d.empty() && !p.below) return p.domain;
  if (d.empty()) {
    found.errors += fmt::format("\n{}: \"{}\" names no single domain: set domain (d=)",
                                at(file, t, "address"), p.text());
    return d;
  }
  auto parsed = parse_sender_pattern("x@" + d);
  if (!parsed || parsed->below) {
    found.errors +=
        fmt::format("\n{} = \"{}\": not a domain name", at(file, t, "domain"), printable(d, 80));
    return {};
  }
  if (!within(p.domain, d))  // the From domain is p.domain or below it
    found.warnings.push_back(
        fmt::format("{} = \"{}\": not {} nor a parent of it, so DMARC alignment fails for {}",
                    at(file, t, "domain"), d, p.domain, p.text()));
  return d;
}

// identity - i=, checked to be "[local]@domain" within d= (RFC 6376 3.5).
std::string identity(const config::File& file, const toml::table& t, const std::string& d,
                     Problems& found) {
  std::string i = config::table_string(t, "identity", "signer.sender[].identity");
  if (i.empty() || d.empty()) return i;
  const auto atsign = i.rfind('@');
  bool ok = atsign != std::string::npos && atsign <= kMaxSenderLocalPartOctets;
  if (ok) {
    auto domain = parse_sender_pattern("x@" + i.substr(atsign + 1));
    ok = domain && !domain->below && within(domain->domain, d);
    for (unsigned char c : i.substr(0, atsign))
      ok = ok && c > ' ' && c != 0x7f && c != ';' && c != '*';
  }
  if (!ok)
    found.errors += fmt::format(
        "\n{} = \"{}\": must be [LOCAL]@DOMAIN with DOMAIN d= ({}) or below it (RFC 6376 3.5)",
        at(file, t, "identity"), printable(i, 80), d);
  return i;
}

// keys - the row's keys with d=; key file errors located at the row's keys.
std::vector<dkim::SignerKey> keys(const config::File& file, const toml::table& t,
                                  const std::string& d, Problems& found) {
  const std::string where = at(file, t, "keys");
  const auto entries = config::table_strings(t, "keys", "signer.sender[].keys");
  if (entries.empty())
    found.errors += fmt::format("\n{}: no keys (\"SELECTOR:KEYFILE\" entries)", where);
  Problems local;
  auto out = load_keys(d, entries, where, local);
  std::string_view errors = local.errors;
  while (!errors.empty()) {
    errors.remove_prefix(1);  // "\n"
    auto line = errors.substr(0, errors.find('\n'));
    found.errors += line.starts_with(file.source()) ? fmt::format("\n{}", line)
                                                    : fmt::format("\n{}: {}", where, line);
    errors.remove_prefix(line.size());
  }
  for (auto& w : local.warnings)
    if (std::find(found.warnings.begin(), found.warnings.end(), w) == found.warnings.end())
      found.warnings.push_back(std::move(w));
  return out;
}

// sender_from_table - one row; its options from the [[signer.domain]] row of d=.
SenderPolicy sender_from_table(const config::File& file, const toml::table& t,
                               const SigningTable& domains, Problems& found) {
  SenderPolicy s;
  const std::string address = config::table_string(t, "address", "signer.sender[].address");
  auto pattern = parse_sender_pattern(address);
  if (!pattern) {
    found.errors += fmt::format("\n{} = \"{}\": {}", at(file, t, "address"), printable(address, 80),
                                pattern.error());
    return s;
  }
  s.pattern = *pattern;
  const std::string d = signing_domain(file, t, s.pattern, found);
  if (d.empty()) return s;
  if (const DomainPolicy* inherited = domains.lookup(d)) {
    s.policy.options = inherited->options;
    s.policy.require_signature = inherited->require_signature;
  }
  s.policy.domain = d;
  s.policy.options.identity = identity(file, t, d, found);
  s.policy.keys = keys(file, t, d, found);
  return s;
}

}  // namespace

std::vector<SenderPolicy> sender_policies(const config::File& file, const SigningTable& domains,
                                          Problems& found) {
  std::vector<SenderPolicy> out;
  const auto tables = file.tables("signer.sender");
  if (tables.size() > kMaxSenderRows) {
    found.errors +=
        fmt::format("\n{}: {} [[signer.sender]] tables; at most {}",
                    at(file, *tables[kMaxSenderRows], "address"), tables.size(), kMaxSenderRows);
    return out;
  }
  for (const toml::table* t : tables) {
    SenderPolicy s = sender_from_table(file, *t, domains, found);
    if (s.pattern.domain.empty()) continue;
    const std::string text = s.pattern.text();
    if (std::any_of(out.begin(), out.end(),
                    [&](const SenderPolicy& o) { return o.pattern.text() == text; }))
      found.errors +=
          fmt::format("\n{} = \"{}\" is listed twice (one [[signer.sender]] per address)",
                      at(file, *t, "address"), text);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace postseal::signer
