// explanation.cpp - the SMTP-client text for an SPF fail (see explanation.hpp).
#include "verifier/spf/explanation.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

namespace postseal::spf {

std::string explanation_text(const SpfCheck& check) {
  if (!check.outcome.explanation.empty()) return printable(check.outcome.explanation, kMaxExplanationLength);
  return fmt::format("SPF fail: {} is not authorized to send for {}", check.query.ip.to_string(),
                     printable(check.outcome.domain, kMaxHeaderValue));
}

}  // namespace postseal::spf
