// policy.cpp - the policy service's answers per action (see events.hpp). The answer is
// Postfix's access(5) action: "action=DUNNO", "action=PREPEND ...", "action=DEFER_IF_PERMIT
// ...", or a numeric reply "action=550 5.7.23 ..." (5xx reject, 4xx defer).
#include "core/metrics/events.hpp"
#include "core/metrics/families.hpp"
#include "core/metrics/registry.hpp"

namespace postseal::metrics {
namespace {

// first_word - the action word after "action=", up to a space or the end of the line.
std::string_view first_word(std::string_view answer) {
  constexpr std::string_view kPrefix = "action=";
  if (!answer.starts_with(kPrefix)) return {};
  answer.remove_prefix(kPrefix.size());
  return answer.substr(0, answer.find_first_of(" \n"));
}

}  // namespace

std::string_view policy_action_label(std::string_view answer) {
  const std::string_view word = first_word(answer);
  if (word == "DUNNO") return "dunno";
  if (word == "PREPEND") return "prepend";
  if (word == "DEFER_IF_PERMIT") return "defer_if_permit";
  if (word.size() == 3 && word[0] == '5') return "reject";
  if (word.size() == 3 && word[0] == '4') return "defer";
  if (word == "REJECT") return "reject";
  if (word == "DEFER") return "defer";
  return kOther;
}

void count_policy_answer(std::string_view answer) {
  if (!enabled()) return;
  families().policy_answers.add({policy_action_label(answer)});
}

}  // namespace postseal::metrics
