// received_spf.cpp - Received-SPF and Authentication-Results text (RFC 7208 9.1, RFC 8601).
#include "verifier/spf/received_spf.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

namespace postseal::spf {
namespace {

bool is_atext(char c) {
  const auto u = static_cast<unsigned char>(c);
  if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// quoted - a quoted-string of the printable form of `in`.
std::string quoted(std::string_view in) {
  std::string out = "\"";
  for (char c : printable(in, kMaxHeaderValue)) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// value - a dot-atom as is, anything else quoted (RFC 7208 9.1 key-value-pair).
std::string value(std::string_view in, bool allow_at = false) {
  const std::string safe = printable(in, kMaxHeaderValue);
  bool atom = !safe.empty() && safe.front() != '.' && safe.back() != '.';
  for (char c : safe)
    if (!is_atext(c) && c != '.' && !(allow_at && c == '@')) atom = false;
  return atom && safe == in ? safe : quoted(in);
}

// comment_text - printable, with ( ) \ quoted so the comment stays one comment.
std::string comment_text(std::string_view in) {
  std::string out;
  for (char c : printable(in, kMaxHeaderValue)) {
    if (c == '(' || c == ')' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string comment(const SpfCheck& check, std::string_view receiver) {
  const SpfOutcome& o = check.outcome;
  const std::string who = comment_text(receiver.empty() ? o.domain : receiver);
  const std::string ip = check.query.ip.to_string();
  const std::string id = check.identity == Identity::helo ? comment_text(check.query.helo)
                                                         : comment_text(check.query.sender);
  const std::string_view idn = to_string(check.identity);
  const std::string mech = o.mechanism.empty() ? std::string() : fmt::format(" (mechanism '{}' matched)", comment_text(o.mechanism));
  switch (o.result) {
    case SpfResult::pass:
      return fmt::format("{}: {} is authorized to use '{}' in '{}' identity{}", who, ip, id, idn, mech);
    case SpfResult::fail:
      return fmt::format("{}: {} is not authorized to use '{}' in '{}' identity{}", who, ip, id, idn, mech);
    case SpfResult::softfail:
      return fmt::format("{}: {} is not authorized by default to use '{}' in '{}' identity, however domain is not currently prepared for false failures{}", who, ip, id, idn, mech);
    case SpfResult::neutral:
      return fmt::format("{}: {} is neither permitted nor denied to use '{}' in '{}' identity{}", who, ip, id, idn, mech);
    case SpfResult::none:
      return fmt::format("{}: no SPF record for '{}' in '{}' identity", who, id, idn);
    case SpfResult::temperror:
      return fmt::format("{}: temporary error checking '{}' in '{}' identity: {}", who, id, idn, comment_text(o.reason));
    case SpfResult::permerror:
      return fmt::format("{}: permanent error checking '{}' in '{}' identity: {}", who, id, idn, comment_text(o.reason));
  }
  return who;
}

}  // namespace

std::string received_spf_value(const SpfCheck& check, std::string_view receiver) {
  const SpfOutcome& o = check.outcome;
  std::string out = fmt::format("{} ({}) client-ip={};", to_string(o.result), comment(check, receiver),
                                check.query.ip.to_string());
  if (check.identity == Identity::mailfrom) out += fmt::format(" envelope-from={};", quoted(check.query.sender));
  if (!check.query.helo.empty()) out += fmt::format(" helo={};", value(check.query.helo));
  if (!receiver.empty()) out += fmt::format(" receiver={};", value(receiver));
  out += fmt::format(" identity={}", to_string(check.identity));
  if (!o.mechanism.empty() && o.mechanism != "default") out += fmt::format("; mechanism={}", value(o.mechanism));
  if ((o.result == SpfResult::permerror || o.result == SpfResult::temperror) && !o.reason.empty())
    out += fmt::format("; problem={}", quoted(o.reason));
  return out;
}

std::string received_spf(const SpfCheck& check, std::string_view receiver) {
  return "Received-SPF: " + received_spf_value(check, receiver);
}

std::string auth_results_clause(const SpfCheck& check) {
  if (check.identity == Identity::helo)
    return fmt::format("spf={} smtp.helo={}", to_string(check.outcome.result), value(check.query.helo));
  return fmt::format("spf={} smtp.mailfrom={}", to_string(check.outcome.result), value(check.query.sender, true));
}

std::string explanation_text(const SpfCheck& check) {
  if (!check.outcome.explanation.empty()) return printable(check.outcome.explanation, kMaxExplanationLength);
  return fmt::format("SPF fail: {} is not authorized to send for {}", check.query.ip.to_string(),
                     printable(check.outcome.domain, kMaxHeaderValue));
}

}  // namespace postseal::spf
