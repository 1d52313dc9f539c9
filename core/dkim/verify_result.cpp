// verify_result.cpp - RFC 8601 names and rendering of DKIM results (see verify_result.hpp).
#include "core/dkim/verify_result.hpp"

#include "core/util/text.hpp"

namespace postseal::dkim {

std::string_view to_string(Result r) {
  switch (r) {
    case Result::pass: return "pass";
    case Result::fail: return "fail";
    case Result::neutral: return "neutral";
    case Result::policy: return "policy";
    case Result::permerror: return "permerror";
    case Result::temperror: return "temperror";
    case Result::none: return "none";
  }
  return "permerror";
}

namespace {

// is_token - RFC 2045 token-ish text that needs no quoting in an A-R property value.
bool is_token(std::string_view v) {
  if (v.empty() || v.size() > 255) return false;
  for (unsigned char c : v) {
    if (c <= ' ' || c >= 0x7f) return false;
    if (std::string_view("()<>,;:\\\"[]?=").find(static_cast<char>(c)) != std::string_view::npos)
      return false;
  }
  return true;
}

void add_property(std::string& out, std::string_view name, std::string_view value) {
  if (!is_token(value)) return;
  out += ' ';
  out += name;
  out += '=';
  out += value;
}

}  // namespace

std::string comment_text(std::string_view reason) {
  std::string text = printable(reason, kMaxReasonOctets);
  for (char& c : text) {
    if (c == '(' || c == ')' || c == '\\') c = '?';
  }
  return text;
}

std::string format_result(const SignatureResult& r) {
  std::string out = "dkim=";
  out += to_string(r.result);
  add_property(out, "header.d", r.d);
  add_property(out, "header.s", r.s);
  add_property(out, "header.a", r.a);
  if (r.result != Result::pass && !r.reason.empty()) {
    out += " (";
    out += comment_text(r.reason);
    out += ')';
  }
  return out;
}

}  // namespace postseal::dkim
