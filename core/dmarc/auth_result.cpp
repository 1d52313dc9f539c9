// auth_result.cpp - Authentication-Results text and SMTP replies of a DMARC verdict (see
// auth_result.hpp).
#include "core/dmarc/auth_result.hpp"

#include "core/dkim/verify_result.hpp"

#include <fmt/format.h>

namespace postseal::dmarc {

std::string format_result(const Verdict& verdict) {
  std::string out = fmt::format("dmarc={}", to_string(verdict.result));
  if (verdict.result != Result::pass && !verdict.reason.empty()) {
    out += fmt::format(" ({})", dkim::comment_text(verdict.reason));
  }
  if (!verdict.header_from.empty()) out += " header.from=" + verdict.header_from;
  if (verdict.result == Result::fail && verdict.policy) {
    out += fmt::format(" policy.dmarc={}", to_string(*verdict.policy));
  }
  return out;
}

std::string reject_reply(const Verdict& verdict) {
  return fmt::format("550 5.7.1 Email rejected per DMARC policy for {}", verdict.header_from);
}

std::string defer_reply(const Verdict& verdict) {
  return fmt::format("451 4.7.1 DMARC policy for {} could not be checked, try again later",
                     verdict.header_from);
}

}  // namespace postseal::dmarc
