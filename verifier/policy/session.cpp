// session.cpp - policy answers (see session.hpp).
#include "verifier/policy/session.hpp"

#include "core/util/log.hpp"
#include "core/util/text.hpp"
#include "verifier/greylist/answer.hpp"
#include "verifier/greylist/front_end.hpp"

#include <fmt/format.h>

#include <iterator>

namespace postseal::policy {

std::optional<decision::Transaction> to_transaction(const PolicyRequest& r) {
  asio::error_code ec;
  auto ip = asio::ip::make_address(r.client_address, ec);
  if (ec) return std::nullopt;
  return decision::Transaction{ip, r.client_name, r.helo_name, r.sender, r.queue_id, r.sasl_username};
}

std::string PolicySession::action_for(const decision::Decision& d, bool repeat) const {
  switch (d.verdict) {
    case decision::Verdict::reject: return "action=" + d.reply + "\n\n";
    case decision::Verdict::defer_if_permit: return "action=DEFER_IF_PERMIT " + d.reply + "\n\n";
    case decision::Verdict::prepend:
      if (repeat || d.header.empty()) return "action=DUNNO\n\n";
      return "action=PREPEND " + d.header + "\n\n";
  }
  return "action=DUNNO\n\n";
}

// log_prefix - the queue id when known, for the start of a log line.
static std::string log_prefix(const PolicyRequest& r) {
  return r.queue_id.empty() ? std::string("NOQUEUE") : printable(r.queue_id, 20);
}

// log_decision - one line per request: the SPF verdict (or why SPF was skipped), what
// greylisting did with the recipient when it had news, and the action answered.
static void log_decision(const PolicyRequest& r, const decision::Decision& d, std::string_view action,
                         std::string_view greylisted) {
  const auto& used = d.mail_from.checked ? d.mail_from : d.helo;
  std::string what = d.skipped.empty()
                         ? fmt::format("SPF {}{}", spf::to_string(used.outcome.result), used.cached ? " (cached)" : "")
                         : d.skipped;
  if (!greylisted.empty()) fmt::format_to(std::back_inserter(what), "; {}", greylisted);
  std::string sasl = r.sasl_username.empty() ? "" : fmt::format(" sasl_username=<{}>", printable(r.sasl_username, 100));
  std::string to = greylisted.empty() ? ""
                                      : fmt::format(" to=<{}>", printable(r.recipient, greylist::kMaxLoggedAddressOctets));
  log::info("{}: {}; client={}[{}]{} helo=<{}> from=<{}>{}: {}", log_prefix(r), what, printable(r.client_name, 100),
            printable(r.client_address, 60), sasl, printable(r.helo_name, 100), printable(r.sender, 200), to,
            printable(action.substr(0, action.size() - 2), 300));
}

PolicySession::Greylisted PolicySession::greylist_action(const PolicyRequest& r, std::string spf_action) {
  const bool at_rcpt = r.protocol_state == "RCPT" || (r.protocol_state.empty() && !r.recipient.empty());
  if (!greylisting_ || !greylisting_->greylister || !at_rcpt || last_.verdict != decision::Verdict::prepend)
    return {std::move(spf_action), {}};
  asio::error_code ec;
  auto ip = asio::ip::make_address(r.client_address, ec);
  if (ec) return {std::move(spf_action), {}};
  const auto spf_pass = greylist::spf_pass_domain(last_, r.sender);
  greylist::Request g{ip, r.client_name, r.sender, r.recipient, r.sasl_username, spf_pass};
  auto outcome = greylisting_->greylister->check(g);
  std::string action = spf_action;
  if (outcome.action == greylist::Action::defer && !decider_.options().test_only) {
    action = "action=DEFER_IF_PERMIT " + greylist::defer_reply(greylisting_->defer_text, outcome.seconds) + "\n\n";
  } else if (outcome.action == greylist::Action::pass && outcome.first_pass && greylisting_->add_header &&
             spf_action == "action=DUNNO\n\n" && (r.instance.empty() || r.instance != header_instance_)) {
    header_instance_ = r.instance;
    action = "action=PREPEND " +
             greylist::x_greylist_header(outcome.seconds, greylisting_->host,
                                         greylisting_->greylister->clock().now()) + "\n\n";
  }
  return {std::move(action), greylist::describe(outcome), std::move(g), std::move(outcome)};
}

asio::awaitable<std::string> PolicySession::answer(const PolicyRequest& r) {
  for (const auto& name : r.duplicates)
    log::warning("{}: duplicate policy attribute '{}' ignored", log_prefix(r), printable(name, 60));
  if (r.protocol_state != "RCPT" && r.protocol_state != "MAIL" && !r.protocol_state.empty())
    co_return std::string("action=DUNNO\n\n");
  bool repeat = !r.instance.empty() && have_decision_ && r.instance == instance_;
  if (repeat) {  // SPF was logged with the first recipient: greylisting's news only
    auto g = greylist_action(r, action_for(last_, true));
    if (!g.news.empty())
      greylist::log_outcome(log_prefix(r), g.request, g.outcome,
                            std::string_view(g.action).substr(0, g.action.size() - 2));
    co_return std::move(g.action);
  }
  auto t = to_transaction(r);
  if (!t) {
    log::warning("{}: bad client_address '{}' in policy request: DUNNO", log_prefix(r),
                 printable(r.client_address, 60));
    co_return std::string("action=DUNNO\n\n");
  }
  last_ = co_await decider_.decide(*t);
  instance_ = r.instance;
  have_decision_ = !r.instance.empty();
  auto g = greylist_action(r, action_for(last_, false));
  log_decision(r, last_, g.action, g.news);
  co_return std::move(g.action);
}

}  // namespace postseal::policy
