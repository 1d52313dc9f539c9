// plan.cpp - decide the keys of one rotation (see plan.hpp).
#include "keys/rotation/plan.hpp"

#include "keys/rotation/selector_template.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace postseal::rotation {
namespace {

// in_progress - a record of this domain (of algorithm `only`, if given) not active yet.
const Record* in_progress(const std::vector<Record>& existing,
                          std::optional<crypto::KeyType> only) {
  auto it = std::find_if(existing.begin(), existing.end(), [&](const Record& r) {
    return (r.state == State::pending || r.state == State::published) && (!only || r.a == *only);
  });
  return it == existing.end() ? nullptr : &*it;
}

bool has_active(const std::vector<Record>& records, crypto::KeyType a) {
  return std::any_of(records.begin(), records.end(),
                     [&](const Record& r) { return r.a == a && r.state == State::active; });
}

}  // namespace

std::expected<Plan, std::string> plan_rotation(
    std::string_view domain, const std::vector<ConfiguredKey>& configured,
    const std::vector<Record>& existing, std::string_view selector_template, std::int64_t now,
    const std::function<bool(std::string_view)>& file_exists, std::optional<crypto::KeyType> only) {
  if (const Record* r = in_progress(existing, only))
    return std::unexpected(fmt::format("{}: selector {} is still {}; run `postseal keys tick` until it is active",
                                       domain, r->s, to_string(r->state)));
  if (configured.empty()) return std::unexpected(fmt::format("{}: no signer.domain[] keys to rotate", domain));
  Plan plan;
  std::vector<std::string> used;
  for (const auto& r : existing) used.push_back(r.s);
  for (const auto& c : configured) used.push_back(c.selector);
  auto taken = [&](std::string_view s) {
    return std::find(used.begin(), used.end(), s) != used.end() || file_exists(s);
  };
  for (const auto& c : configured) {
    if (only && c.a != *only) continue;
    if (std::any_of(plan.keys.begin(), plan.keys.end(), [&](const NewKey& k) { return k.a == c.a; })) continue;
    if (!has_active(existing, c.a))
      plan.adopted.push_back(Record{std::string(domain), c.selector, c.a, State::active, now, now, c.file, ""});
    auto selector = next_selector(selector_template, c.a, now, taken);
    if (!selector) return std::unexpected(fmt::format("{}: {}", domain, selector.error()));
    used.push_back(*selector);
    plan.keys.push_back(NewKey{c.a, *selector});
  }
  if (plan.keys.empty())
    return std::unexpected(fmt::format("{}: no {} key among signer.domain[] keys to rotate", domain,
                                       crypto::to_string(*only)));
  return plan;
}

}  // namespace postseal::rotation
