// sign_step.cpp - choose keys by From address or domain, sign, summarise (see sign_step.hpp).
#include "signer/filter/sign_step.hpp"

#include "signer/filter/from_domain.hpp"

#include "core/metrics/events.hpp"
#include "core/metrics/stage.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace postseal::signer {

namespace {

// mentions_required_domain - an ambiguous From naming a domain with require_signature: such
// mail is tempfailed rather than sent unsigned.
bool mentions_required_domain(const SigningTable* table, const std::vector<mail::HeaderField>& headers) {
  if (table == nullptr) return false;
  for (const auto& f : headers) {
    if (!f.is("From")) continue;
    std::string value = to_lower(f.value());
    for (const auto& p : table->policies())
      if (p.require_signature && value.find("@" + p.domain) != std::string::npos) return true;
  }
  return false;
}

// SigningMessageStep - a SignStep seen by the relay session.
class SigningMessageStep final : public relay::MessageStep {
 public:
  SigningMessageStep(std::shared_ptr<const SigningTable> table, const std::vector<mail::HeaderField>& headers,
                     const Clock& clock)
      : step_(std::move(table), headers, clock) {}
  void body(std::string_view chunk) override { step_.body(chunk); }
  asio::awaitable<relay::StepOutcome> finish(const std::vector<mail::HeaderField>& headers) override {
    relay::StepOutcome out;
    out.prepend = step_.finish(headers);
    out.summary = step_.summary();
    out.notes = step_.opendkim_lines();
    count_signed(step_);
    if (step_.decision() == SignDecision::tempfail) {
      out.relay = false;
      out.reply = std::string(kMustSignReply);
    }
    co_return out;
  }

 private:
  SignStep step_;
};

}  // namespace

void count_signed(const SignStep& step) {
  std::string_view result = "signed";
  if (step.decision() == SignDecision::pass_unsigned) result = "unsigned";
  if (step.decision() == SignDecision::tempfail) result = "deferred";
  metrics::count_signed(step.signing_domain(), result);
}

relay::StepFactory signing_steps(const TableHolder& tables, const Clock& clock) {
  return [&tables, &clock](const std::vector<mail::HeaderField>& headers,
                           const relay::Envelope&) -> std::unique_ptr<relay::MessageStep> {
    return std::make_unique<SigningMessageStep>(tables.get(), headers, clock);
  };
}

SignStep::SignStep(std::shared_ptr<const SigningTable> table, const std::vector<mail::HeaderField>& headers,
                   const Clock& clock)
    : table_(std::move(table)) {
  auto author = from_mailbox(headers);
  if (!author) {
    reason_ = author.error();
    if (mentions_required_domain(table_.get(), headers)) decision_ = SignDecision::tempfail;
    return;
  }
  SignaturePlan plan = table_ ? plan_signatures(*table_, author->local_part, author->domain) : SignaturePlan{};
  if (plan.rows.empty()) {
    reason_ = fmt::format("no signing key for From domain {}", author->domain);
    return;
  }
  decision_ = SignDecision::sign;
  dropped_ = plan.dropped;
  for (auto& row : plan.rows) {
    auto signer = std::make_unique<dkim::MessageSigner>(row.keys, row.policy->options, clock);
    if (dk_policy_ == nullptr && row.policy->domainkeys) dk_policy_ = row.policy;
    parts_.push_back(Part{std::move(row), std::move(signer)});
  }
  if (dk_policy_ != nullptr) start_domainkeys(headers);
}

std::string_view SignStep::signing_domain() const {
  return parts_.empty() ? std::string_view() : std::string_view(parts_.front().row.policy->domain);
}

void SignStep::start_domainkeys(const std::vector<mail::HeaderField>& headers) {
  for (const auto& k : dk_policy_->keys) {
    if (k.key->type() != crypto::KeyType::rsa) continue;
    dk_ = std::make_unique<domainkeys::DkSigner>(k.domain, k.selector, k.key, *dk_policy_->domainkeys);
    dk_->headers(headers);
    dk_summary_ = fmt::format("DomainKey-Signature added (d={}, s={}, c={})", k.domain, k.selector,
                              domainkeys::to_string(dk_policy_->domainkeys->canon));
    return;
  }
  dk_summary_ = "no DomainKey-Signature: no RSA key";
}

void SignStep::body(std::string_view chunk) {
  for (auto& part : parts_) part.dkim->body(chunk);
  if (dk_) dk_->body(chunk);
}

std::string SignStep::sign_parts(const std::vector<mail::HeaderField>& headers) {
  std::string fields;
  for (auto& part : parts_) {
    auto got = part.dkim->finish(headers);
    if (got) {
      fields += *got;
      continue;
    }
    auto why = fmt::format("signing for {} failed: {}", part.row.policy->domain, dkim::to_string(got.error()));
    if (part.row.policy->require_signature) {
      reason_ = std::move(why);
      decision_ = SignDecision::tempfail;
      return {};
    }
    part.row.keys.clear();  // left out of the summary and the OpenDKIM lines
    failures_.push_back(std::move(why));
  }
  return fields;
}

std::string SignStep::add_domainkeys(const std::vector<mail::HeaderField>& headers, std::string fields) {
  if (!dk_) return fields;
  auto dk_field = dk_->finish(headers);
  // With h= the DKIM-Signature fields below are not covered: DomainKeys goes on top. Without
  // h= it covers every field below it, so it goes under the DKIM signatures (whose h= lists
  // never name DomainKey-Signature), right above the fields it signed.
  if (dk_field) return dk_policy_->domainkeys->list_headers ? *dk_field + fields : fields + *dk_field;
  dk_summary_ = "no DomainKey-Signature: " + printable(dk_field.error());
  return fields;
}

std::string SignStep::finish(const std::vector<mail::HeaderField>& headers) {
  if (decision_ != SignDecision::sign) return {};
  metrics::StageTimer timer(metrics::Stage::dkim_sign);
  std::string fields = sign_parts(headers);
  if (decision_ == SignDecision::tempfail) return {};
  if (fields.empty()) {
    reason_ = fmt::format("{}", fmt::join(failures_, "; "));
    failures_.clear();
    decision_ = SignDecision::pass_unsigned;
    return {};
  }
  return add_domainkeys(headers, std::move(fields));
}

std::vector<std::string> SignStep::opendkim_lines() const {
  std::vector<std::string> lines;
  if (decision_ != SignDecision::sign) return lines;
  for (const auto& part : parts_)
    for (const auto& k : part.row.keys)
      lines.push_back(fmt::format("DKIM-Signature field added (s={}, d={})", k.selector, k.domain));
  return lines;
}

std::string SignStep::summary() const {
  switch (decision_) {
    case SignDecision::tempfail:
      return "deferred: " + reason_;
    case SignDecision::pass_unsigned:
      return "passed unsigned: " + reason_;
    case SignDecision::sign:
      break;
  }
  std::string what;
  for (const auto& part : parts_)
    for (const auto& k : part.row.keys)
      what += fmt::format("{}d={}, s={}, a={}", what.empty() ? "" : "; ", k.domain, k.selector,
                          dkim::algorithm_name(*k.key));
  std::string out = fmt::format("DKIM-Signature added ({})", what);
  for (const auto& f : failures_) out += ", not added: " + f;
  if (dropped_ > 0)
    out += fmt::format(", {} more matching key(s) not used (at most {} signatures per message)", dropped_,
                       kMaxSignaturesPerMessage);
  if (!dk_summary_.empty()) out += ", " + dk_summary_;
  return out;
}

}  // namespace postseal::signer
