// bounce.cpp - the decisions of `postseal dmarc bounce` (see bounce.hpp).
#include "core/dmarc_report/bounce.hpp"

#include "core/dmarc_report/destination.hpp"
#include "core/dmarc_report/sent_recently.hpp"
#include "core/dmarc_report/suppression.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace postseal::dmarc_report {
namespace {

// report_address - `text` when a report could go to it (mailto_address's rule), else nullopt.
std::optional<std::string> report_address(std::string_view text) {
  if (text.empty() || text.find('!') != std::string_view::npos) return std::nullopt;
  auto to = mailto_address("mailto:" + std::string(text));
  if (!to) return std::nullopt;
  return to->address;
}

// store_failure - the outcome of a store error on `o`.
BounceOutcome store_failure(const state::Store& store, BounceOutcome o, state::StoreError e) {
  o.decision = BounceDecision::store_failed;
  o.error = fmt::format("{}: {}", store.name(), state::to_string(e));
  return o;
}

// permanent - the decision for a recipient that failed for good: which address we sent to, and
// suppress it.
BounceOutcome permanent(state::Store& store, const DsnRecipient& r, BounceOutcome o,
                        std::int64_t suppress_days) {
  o.decision = BounceDecision::not_address;
  for (const std::string* candidate : {&r.original_recipient, &r.final_recipient}) {
    auto address = report_address(*candidate);
    if (!address) continue;
    auto sent = sent_recently(store, *address);
    if (!sent) return store_failure(store, std::move(o), sent.error());
    if (o.decision == BounceDecision::not_address) {  // the first usable address names it
      o.decision = BounceDecision::not_sent_to;
      o.address = *address;
    }
    if (!*sent) continue;
    o.address = *address;
    o.sent = std::move(**sent);
    if (auto done = suppress(store, *address, suppress_days); !done)
      return store_failure(store, std::move(o), done.error());
    o.decision = BounceDecision::suppressed;
    return o;
  }
  return o;
}

// decide - one recipient.
BounceOutcome decide(state::Store& store, const DsnRecipient& r, std::int64_t suppress_days) {
  BounceOutcome o{BounceDecision::not_failed, r.final_recipient, r.action, r.status, {}, {}};
  const char status = status_class(r.status);
  if (r.action == "delayed" || status == '4') {
    o.decision = BounceDecision::temporary;
    return o;
  }
  if (r.action != "failed" || status != '5') return o;
  return permanent(store, r, std::move(o), suppress_days);
}

}  // namespace

std::vector<BounceOutcome> handle_bounce(state::Store& store, const Dsn& dsn,
                                         std::int64_t suppress_days) {
  std::vector<BounceOutcome> out;
  for (const auto& r : dsn.recipients) {
    out.push_back(decide(store, r, suppress_days));
    if (out.back().decision == BounceDecision::store_failed) break;
  }
  return out;
}

std::string summarize(const std::vector<BounceOutcome>& outcomes) {
  auto count = [&outcomes](BounceDecision d) {
    return std::count_if(outcomes.begin(), outcomes.end(),
                         [d](const BounceOutcome& o) { return o.decision == d; });
  };
  return fmt::format(
      "{} suppressed, {} temporary, {} not sent to by us, {} not failed, {} not report addresses",
      count(BounceDecision::suppressed), count(BounceDecision::temporary),
      count(BounceDecision::not_sent_to), count(BounceDecision::not_failed),
      count(BounceDecision::not_address));
}

std::string describe(const BounceOutcome& o, std::int64_t suppress_days) {
  const std::string address = printable(o.address, kMaxAddressOctets);
  const std::string status = printable(o.status, 16);
  switch (o.decision) {
    case BounceDecision::suppressed:
      return fmt::format("{}: suppressed for {} days ({}, {} bounced)", address, suppress_days,
                         status, printable(o.sent, kMaxSentWhatOctets));
    case BounceDecision::not_sent_to:
      return fmt::format("{}: not suppressed: no report sent to it in the last {} days ({})",
                         address, kSentRecentlyDays, status);
    case BounceDecision::temporary:
      return fmt::format("{}: not suppressed: {} ({}), a temporary failure", address,
                         printable(o.action, 16), status);
    case BounceDecision::not_failed:
      return fmt::format("{}: not suppressed: action {} ({})", address, printable(o.action, 16),
                         status);
    case BounceDecision::not_address:
      return fmt::format("{}: not suppressed: not an address reports go to ({})", address, status);
    case BounceDecision::store_failed:
      return fmt::format("{}: not handled: state store {}", address, o.error);
  }
  return address;
}

}  // namespace postseal::dmarc_report
