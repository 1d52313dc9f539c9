// signature_plan.cpp - choose the signing rows of a message (see signature_plan.hpp).
#include "signer/filter/signature_plan.hpp"

#include <algorithm>

namespace postseal::signer {
namespace {

// used - a key with `k`'s d= and s= is in the plan already.
bool used(const SignaturePlan& plan, const dkim::SignerKey& k) {
  return std::any_of(plan.rows.begin(), plan.rows.end(), [&](const PlannedRow& r) {
    return std::any_of(r.keys.begin(), r.keys.end(), [&](const dkim::SignerKey& o) {
      return o.domain == k.domain && o.selector == k.selector;
    });
  });
}

// count - the keys (signatures) in the plan.
std::size_t count(const SignaturePlan& plan) {
  std::size_t n = 0;
  for (const auto& r : plan.rows) n += r.keys.size();
  return n;
}

// add_row - `policy`'s keys not yet in the plan, up to the cap; a row left without keys is
// not added.
void add_row(SignaturePlan& plan, const DomainPolicy* policy) {
  PlannedRow row{policy, {}};
  std::size_t room = kMaxSignaturesPerMessage - count(plan);
  for (const auto& k : policy->keys) {
    if (used(plan, k)) continue;
    if (room == 0) {
      ++plan.dropped;
      continue;
    }
    row.keys.push_back(k);
    --room;
  }
  if (!row.keys.empty()) plan.rows.push_back(std::move(row));
}

}  // namespace

SignaturePlan plan_signatures(const SigningTable& table, std::string_view local,
                              std::string_view domain) {
  SignaturePlan plan;
  const auto rows = table.matching_rows(local, domain);  // most specific first
  for (const DomainPolicy* policy : rows) {
    add_row(plan, policy);
    if (!table.multiple_signatures()) break;  // the first match only
  }
  return plan;
}

}  // namespace postseal::signer
