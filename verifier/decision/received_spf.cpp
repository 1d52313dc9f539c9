// received_spf.cpp - Received-SPF fields and reply texts (see received_spf.hpp).
#include "verifier/decision/received_spf.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

namespace postseal::decision {

std::string comment_safe(std::string_view text, std::size_t limit) {
  std::string out = printable(text, limit);
  for (char& c : out)
    if (c == '(' || c == ')' || c == '\\') c = '?';
  return out;
}

// is_atext - RFC 5322 3.2.3 atext.
static bool is_atext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

static bool is_dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (s[i + 1] == '.') return false;
    } else if (!is_atext(s[i])) {
      return false;
    }
  }
  return true;
}

std::string kv_value(std::string_view text, std::size_t limit) {
  std::string safe = printable(text, limit);
  if (is_dot_atom(safe)) return safe;
  return quoted_string(safe);
}

// identity_label - how the perl daemon names the identity in its comments.
static std::string_view identity_label(spf::Identity id) { return id == spf::Identity::helo ? "helo" : "mfrom"; }

// checked_name - the sender (or the HELO name for the helo identity) as the comment shows it.
static std::string checked_name(const SpfReport& r) {
  return comment_safe(r.identity == spf::Identity::helo ? r.helo : r.sender, kMaxFieldValueOctets);
}

static std::string comment(const SpfReport& r) {
  const auto& o = r.outcome;
  auto domain = comment_safe(o.domain.empty() ? spf::sender_domain(r.sender) : o.domain, 120);
  auto ip = comment_safe(r.client_ip, 60);
  auto who = checked_name(r);
  auto id = identity_label(r.identity);
  auto mech = comment_safe(o.mechanism, 120);
  switch (o.result) {
    case spf::SpfResult::pass:
      return fmt::format("{}: {} is authorized to use '{}' in '{}' identity (mechanism '{}' matched)",
                         domain, ip, who, id, mech);
    case spf::SpfResult::fail:
      return fmt::format("{}: {} is not authorized to use '{}' in '{}' identity (mechanism '{}' matched)",
                         domain, ip, who, id, mech);
    case spf::SpfResult::softfail:
      return fmt::format(
          "{}: Sender is not authorized by default to use '{}' in '{}' identity, however domain is "
          "not currently prepared for false failures (mechanism '{}' matched)",
          domain, who, id, mech);
    case spf::SpfResult::neutral:
      return fmt::format("{}: {} is neither permitted nor denied by domain of {} (mechanism '{}' matched)",
                         domain, ip, who, mech);
    case spf::SpfResult::none:
      return fmt::format("{}: no SPF policy for '{}' in '{}' identity{}{}", domain, who, id,
                         o.reason.empty() ? "" : ": ", comment_safe(o.reason, 120));
    case spf::SpfResult::temperror:
    case spf::SpfResult::permerror:
      return fmt::format("{}: error in processing during lookup of {}: {}", domain, who,
                         comment_safe(o.reason.empty() ? "unknown error" : o.reason, 120));
  }
  return domain;
}

std::string received_spf_value(const SpfReport& r) {
  std::string v = fmt::format("{} ({}) receiver={}; identity={};", spf::to_string(r.outcome.result),
                              comment(r), kv_value(r.receiver.empty() ? "unknown" : r.receiver),
                              spf::to_string(r.identity));
  if (r.identity == spf::Identity::mailfrom) v += fmt::format(" envelope-from={};", kv_value(r.sender));
  v += fmt::format(" helo={}; client-ip={}", kv_value(r.helo), kv_value(r.client_ip, 60));
  return v;
}

std::string received_spf_field(const SpfReport& r) { return "Received-SPF: " + received_spf_value(r); }

std::string reject_text(const SpfReport& r) {
  const auto& o = r.outcome;
  auto domain = printable(o.domain.empty() ? spf::sender_domain(r.sender) : o.domain, 120);
  auto who = printable(r.identity == spf::Identity::helo ? r.helo : r.sender, kMaxFieldValueOctets);
  if (o.result == spf::SpfResult::permerror)
    return fmt::format("5.7.24 SPF permerror for {} ({} identity): {}", domain, spf::to_string(r.identity),
                       printable(o.reason.empty() ? "invalid SPF record" : o.reason, 120));
  std::string why = o.explanation.empty()
                        ? fmt::format("{} is not authorized to send mail as '{}'", r.client_ip, who)
                        : printable(o.explanation, 120);
  return fmt::format("5.7.23 SPF {} for {} ({} identity): {}", spf::to_string(o.result), domain,
                     spf::to_string(r.identity), why);
}

std::string defer_text(const SpfReport& r) {
  const auto& o = r.outcome;
  auto domain = printable(o.domain.empty() ? spf::sender_domain(r.sender) : o.domain, 120);
  return fmt::format("SPF temperror for {} ({} identity): {}", domain, spf::to_string(r.identity),
                     printable(o.reason.empty() ? "temporary DNS failure" : o.reason, 120));
}

}  // namespace postseal::decision
