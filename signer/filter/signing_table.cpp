// signing_table.cpp - build and query the signing table: [[signer.domain]] rows and the
// [[signer.sender]] rows of sender_rows.hpp (see signing_table.hpp).
#include "signer/filter/signing_table.hpp"

#include "signer/filter/key_files.hpp"
#include "signer/filter/sender_rows.hpp"

#include "core/metrics/events.hpp"
#include "core/metrics/key_age.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/domainkeys/dk_config.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace postseal::signer {
namespace {

std::expected<dkim::Canon, std::string> canon(std::string_view s) {
  if (s == "relaxed") return dkim::Canon::relaxed;
  if (s == "simple") return dkim::Canon::simple;
  return std::unexpected(fmt::format("unknown canonicalization '{}'", printable(s, 40)));
}

DomainPolicy policy_from_table(const toml::table& t, Problems& found) {
  std::string& errors = found.errors;
  DomainPolicy p;
  p.domain = to_lower(config::table_string(t, "name", "signer.domain[].name"));
  if (p.domain.empty()) errors += "\nsigner.domain: a [[signer.domain]] table has no name";
  p.subdomains = config::table_boolean(t, "subdomains", "signer.domain[].subdomains");
  p.require_signature = config::table_boolean(t, "require_signature", "signer.domain[].require_signature");
  p.options.headers = config::table_strings(t, "headers", "signer.domain[].headers");
  auto c = parse_canonicalization(config::table_string(t, "canonicalization", "signer.domain[].canonicalization"));
  if (!c) errors += fmt::format("\nsigner.domain '{}': {}", p.domain, c.error());
  else std::tie(p.options.header_canon, p.options.body_canon) = *c;
  auto expire = config::table_integer(t, "expire", "signer.domain[].expire");
  if (expire > 0) p.options.expire_seconds = expire;
  p.keys = load_keys(p.domain, config::table_strings(t, "keys", "signer.domain[].keys"),
                     fmt::format("signer.domain '{}'", p.domain), found);
  try {
    p.domainkeys = domainkeys::sign_options_from_table(t);
  } catch (const StartupError& e) {
    errors += fmt::format("\nsigner.domain '{}': {}", p.domain, e.what());
  }
  bool has_rsa = std::any_of(p.keys.begin(), p.keys.end(),
                             [](const dkim::SignerKey& k) { return k.key->type() == crypto::KeyType::rsa; });
  if (p.domainkeys && !has_rsa && !p.keys.empty())
    errors += fmt::format("\nsigner.domain '{}': domainkeys = true needs an RSA key (DomainKeys has no Ed25519)", p.domain);
  return p;
}

}  // namespace

std::expected<std::pair<dkim::Canon, dkim::Canon>, std::string> parse_canonicalization(std::string_view text) {
  auto slash = text.find('/');
  auto h = canon(text.substr(0, slash));
  if (!h) return std::unexpected(h.error());
  if (slash == std::string_view::npos) return std::pair{*h, dkim::Canon::simple};
  auto b = canon(text.substr(slash + 1));
  if (!b) return std::unexpected(b.error());
  return std::pair{*h, *b};
}

SigningTable::SigningTable(std::vector<DomainPolicy> policies, std::vector<SenderPolicy> senders,
                           std::vector<std::string> warnings, bool multiple_signatures)
    : policies_(std::move(policies)),
      senders_(std::move(senders)),
      warnings_(std::move(warnings)),
      multiple_signatures_(multiple_signatures) {
  std::stable_sort(senders_.begin(), senders_.end(), [](const SenderPolicy& a, const SenderPolicy& b) {
    return specificity(a.pattern) > specificity(b.pattern);
  });
}

std::vector<std::string> SigningTable::domains() const {
  std::vector<std::string> out;
  for (const auto& p : policies_) out.push_back(p.domain);
  for (const auto& s : senders_)
    if (std::find(out.begin(), out.end(), s.policy.domain) == out.end()) out.push_back(s.policy.domain);
  return out;
}

void SigningTable::publish_metrics() const {
  std::vector<metrics::KeyFile> files;
  for (const auto& p : policies_)
    for (const auto& k : p.keys) files.push_back({k.domain, k.selector, k.path});
  for (const auto& s : senders_)
    for (const auto& k : s.policy.keys) files.push_back({k.domain, k.selector, k.path});
  metrics::set_signing_domains(domains());
  metrics::set_key_files(files);
}

const DomainPolicy* SigningTable::lookup(std::string_view from_domain) const {
  const auto rows = domain_rows(from_domain);
  return rows.empty() ? nullptr : rows.front();
}

std::vector<const DomainPolicy*> SigningTable::domain_rows(std::string_view domain) const {
  std::vector<const DomainPolicy*> out;
  // the From domain's own row, then parents signing subdomains: each step drops a label
  for (std::string_view d = domain; !d.empty();) {
    for (const auto& p : policies_)
      if (p.domain == d && (d.size() == domain.size() || p.subdomains)) out.push_back(&p);
    const auto dot = d.find('.');
    d = dot == std::string_view::npos ? std::string_view() : d.substr(dot + 1);
  }
  return out;
}

const DomainPolicy* SigningTable::lookup_sender(std::string_view local, std::string_view domain) const {
  const auto rows = matching_rows(local, domain);
  return rows.empty() ? nullptr : rows.front();
}

std::vector<const DomainPolicy*> SigningTable::matching_rows(std::string_view local,
                                                             std::string_view domain) const {
  std::vector<const DomainPolicy*> out;
  const std::string unquoted = comparable_local_part(local);
  for (const auto& s : senders_)  // most specific first
    if (matches(s.pattern, unquoted, domain)) out.push_back(&s.policy);
  const auto rows = domain_rows(domain);
  out.insert(out.end(), rows.begin(), rows.end());
  return out;
}

std::expected<std::shared_ptr<const SigningTable>, std::string> build_signing_table(
    const config::File* file, const std::vector<KeyOption>& keys) {
  Problems found;
  std::string& errors = found.errors;
  std::vector<DomainPolicy> policies;
  if (file != nullptr)
    for (const toml::table* t : file->tables("signer.domain")) {
      policies.push_back(policy_from_table(*t, found));
      const auto& name = policies.back().domain;
      if (std::count_if(policies.begin(), policies.end(), [&](const DomainPolicy& p) { return p.domain == name; }) == 2)
        errors += fmt::format("\nsigner.domain '{}' is listed twice (one [[signer.domain]] per domain)", name);
    }
  std::vector<std::string> overridden;  // file domains whose keys the command line replaces
  for (const auto& k : keys) {
    std::string domain = to_lower(k.domain);
    auto it = std::find_if(policies.begin(), policies.end(), [&](const DomainPolicy& p) { return p.domain == domain; });
    if (it == policies.end()) {
      policies.push_back(DomainPolicy{});
      it = policies.end() - 1;
      it->domain = domain;
    }
    if (std::find(overridden.begin(), overridden.end(), domain) == overridden.end()) {
      overridden.push_back(domain);
      it->keys.clear();
    }
    auto loaded = load_keys(domain, {k.selector + ":" + k.path}, fmt::format("signer.domain '{}'", domain), found);
    it->keys.insert(it->keys.end(), loaded.begin(), loaded.end());
  }
  for (const auto& p : policies)
    if (p.keys.empty() && errors.empty())
      errors += fmt::format("\nsigner.domain '{}': no keys", p.domain);
  std::vector<SenderPolicy> senders;
  if (file != nullptr) senders = sender_policies(*file, SigningTable(policies), found);
  if (!errors.empty()) return std::unexpected(errors.substr(1));
  const bool multiple = file != nullptr && file->has("signer.multiple_signatures") &&
                        file->boolean("signer.multiple_signatures");  // default false
  return std::make_shared<const SigningTable>(std::move(policies), std::move(senders), std::move(found.warnings),
                                              multiple);
}

}  // namespace postseal::signer
