// auth_results.cpp - Authentication-Results writer and forged-field remover (see the header).
#include "verifier/auth_results.hpp"

#include "core/util/text.hpp"
#include "verifier/decision/received_spf.hpp"

#include <fmt/format.h>

namespace postseal::verifier {

// is_token_char - RFC 2045 token: printable ASCII except SPACE and tspecials.
static bool is_token_char(char c) {
  if (c <= ' ' || c >= 0x7f) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

static bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_token_char(c)) return false;
  return true;
}

// is_mailbox_like - local@domain where both sides are tokens ("." allowed in both).
static bool is_mailbox_like(std::string_view s) {
  auto at = s.rfind('@');
  if (at == std::string_view::npos) return false;
  auto local = s.substr(0, at);
  auto domain = s.substr(at + 1);
  return (local.empty() || is_token(local)) && is_token(domain);
}

std::string pvalue(std::string_view text, std::size_t limit) {
  std::string safe = printable(text, limit);
  if (is_token(safe) || is_mailbox_like(safe)) return safe;
  return quoted_string(safe);
}

static std::string spf_resinfo(const SpfResinfo& r) {
  std::string out = fmt::format("spf={}", spf::to_string(r.result));
  if (!r.reason.empty()) out += " reason=" + quoted_string(printable(r.reason, kMaxPropertyOctets));
  if (!r.mailfrom.empty()) out += " smtp.mailfrom=" + pvalue(r.mailfrom);
  if (!r.helo.empty()) out += " smtp.helo=" + pvalue(r.helo);
  return out;
}

static std::string dkim_resinfo(const dkim::SignatureResult& r) {
  std::string out = fmt::format("dkim={}", dkim::to_string(r.result));
  if (r.result != dkim::Result::pass && !r.reason.empty())
    out += " reason=" + quoted_string(printable(r.reason, dkim::kMaxReasonOctets));
  if (!r.d.empty()) out += " header.d=" + pvalue(r.d);
  if (!r.i.empty()) out += " header.i=" + pvalue(r.i);
  if (!r.s.empty()) out += " header.s=" + pvalue(r.s);
  if (!r.a.empty()) out += " header.a=" + pvalue(r.a);
  if (!r.b.empty()) out += " header.b=" + pvalue(std::string_view(r.b).substr(0, kHeaderBOctets));
  return out;
}

std::string render_authentication_results_value(const AuthResults& results, bool fold) {
  std::string out = " " + pvalue(results.authserv_id);
  std::vector<std::string> parts;
  for (const auto& s : results.spf) parts.push_back(spf_resinfo(s));
  for (const auto& d : results.dkim) parts.push_back(dkim_resinfo(d));
  if (results.domainkeys) parts.push_back(domainkeys::format_result(*results.domainkeys));
  if (!results.dmarc.empty()) parts.push_back(results.dmarc);
  if (parts.empty()) parts.push_back("none");  // RFC 8601 2.2: no-result
  for (const auto& p : parts) {
    out += fold ? ";\r\n\t" : "; ";
    out += p;
  }
  if (!results.comment.empty()) out += " (" + decision::comment_safe(results.comment) + ")";
  return out;
}

std::string render_authentication_results(const AuthResults& results, bool fold) {
  return "Authentication-Results:" + render_authentication_results_value(results, fold);
}

// skip_cfws - advance past folding white space and (nested) comments; false if a comment
// is unterminated or nested deeper than kMaxCommentDepth.
static bool skip_cfws(std::string_view v, std::size_t& i) {
  int depth = 0;
  while (i < v.size()) {
    char c = v[i];
    if (depth > 0 && c == '\\') {
      i += 2;
      continue;
    }
    if (c == '(') {
      if (++depth > kMaxCommentDepth) return false;
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (depth == 0 && c != ' ' && c != '\t' && c != '\r' && c != '\n') {
      return true;
    }
    ++i;
  }
  return depth == 0;
}

std::optional<std::string> authserv_id_of(std::string_view v) {
  std::size_t i = 0;
  if (!skip_cfws(v, i) || i >= v.size()) return std::nullopt;
  std::string id;
  if (v[i] == '"') {
    for (++i; i < v.size() && v[i] != '"'; ++i) {
      if (v[i] == '\\' && i + 1 < v.size()) ++i;
      if (v[i] != '\r' && v[i] != '\n') id += v[i];
    }
    if (i >= v.size()) return std::nullopt;
    return id;
  }
  while (i < v.size() && is_token_char(v[i])) id += v[i++];
  if (id.empty()) return std::nullopt;
  return id;
}

// without_final_dot - a domain name as compared: "mx.example." is "mx.example".
static std::string_view without_final_dot(std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return name;
}

bool claims_our_id(std::string_view value, std::string_view authserv_id) {
  auto ours = without_final_dot(authserv_id);
  if (auto id = authserv_id_of(value)) return iequals(without_final_dot(trim(*id)), ours);
  // Unparseable (unterminated comment or quote): a broken field that mentions our id
  // anywhere is dropped too; a downstream reader might parse it differently than we do.
  return to_lower(value).find(to_lower(ours)) != std::string::npos;
}

std::vector<std::size_t> forged_fields(const std::vector<mail::HeaderField>& fields,
                                       std::string_view authserv_id) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < fields.size(); ++i)
    if (fields[i].is("Authentication-Results") && claims_our_id(fields[i].value(), authserv_id))
      out.push_back(i);
  return out;
}

std::size_t remove_forged(std::vector<mail::HeaderField>& fields, std::string_view authserv_id) {
  auto forged = forged_fields(fields, authserv_id);
  for (auto it = forged.rbegin(); it != forged.rend(); ++it)
    fields.erase(fields.begin() + static_cast<std::ptrdiff_t>(*it));
  return forged.size();
}

}  // namespace postseal::verifier
