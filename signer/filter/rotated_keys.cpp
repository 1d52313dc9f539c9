// rotated_keys.cpp - put the active rotated keys into the signing table (see rotated_keys.hpp).
#include "signer/filter/rotated_keys.hpp"

#include "core/metrics/key_retire.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/log.hpp"
#include "keys/rotation/active_keys.hpp"
#include "keys/rotation/max_age.hpp"
#include "keys/rotation/open_store.hpp"
#include "keys/rotation/record_store.hpp"
#include "keys/rotation/settings.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace postseal::signer {
namespace {

// replace_key - the policy's key of the record's algorithm becomes the record's key; a
// key-size warning is appended to `warnings`.
std::optional<std::string> replace_key(DomainPolicy& policy, const rotation::Record& r,
                                       std::vector<std::string>& warnings) {
  auto key = crypto::PrivateKey::load(r.file);
  if (!key) return fmt::format("rotated key {}: {}", rotation::record_name(r), key.error());
  if ((*key)->type() != r.a)
    return fmt::format("rotated key {}: {} is not an {} key", rotation::record_name(r), r.file, crypto::to_string(r.a));
  if (auto w = crypto::size_warning(**key, r.file))
    warnings.push_back("rotated key " + rotation::record_name(r) + ": " + *w);
  dkim::SignerKey signer_key{policy.domain, r.s, *key, r.file};
  auto same = std::find_if(policy.keys.begin(), policy.keys.end(),
                           [&](const dkim::SignerKey& k) { return k.key->type() == r.a; });
  if (same == policy.keys.end()) policy.keys.push_back(std::move(signer_key));
  else *same = std::move(signer_key);
  return std::nullopt;
}

// publish_retire_times - postseal_key_retire_seconds for the table's domains: each retiring
// key (revoked retire_after after it stopped signing) and, with keys.max_age, each active key
// that signs (due to stop at created + max_age).
void publish_retire_times(const SigningTable& table, const std::vector<rotation::Record>& records,
                          const rotation::Timing& timing) {
  const auto domains = table.domains();
  auto signed_here = [&](const rotation::Record& r) {
    return std::find(domains.begin(), domains.end(), r.d) != domains.end();
  };
  std::vector<metrics::RetiringKey> retiring;
  for (const auto& r : records)
    if (r.state == rotation::State::retiring && signed_here(r))
      retiring.push_back({r.d, r.s, r.since + timing.retire_after});
  for (const auto& r : rotation::active_keys(records))
    if (auto limit = rotation::age_limit_at(r, timing); limit && signed_here(r))
      retiring.push_back({r.d, r.s, *limit});
  metrics::set_retiring_keys(std::move(retiring));
}

}  // namespace

std::expected<std::shared_ptr<const SigningTable>, std::string> with_rotated_keys(
    const SigningTable& table, const std::vector<rotation::Record>& active) {
  std::vector<DomainPolicy> policies = table.policies();
  std::vector<std::string> warnings = table.warnings();
  std::string errors;
  for (const auto& r : active) {
    auto policy = std::find_if(policies.begin(), policies.end(), [&](const DomainPolicy& p) { return p.domain == r.d; });
    if (policy == policies.end()) continue;
    if (auto e = replace_key(*policy, r, warnings)) errors += "\n" + *e;
  }
  if (!errors.empty()) return std::unexpected(errors.substr(1));
  // [[signer.sender]] rows keep their configured keys: rotation is per domain (rotated_keys.hpp)
  return std::make_shared<const SigningTable>(std::move(policies), table.senders(), std::move(warnings),
                                              table.multiple_signatures());
}

std::expected<std::shared_ptr<const SigningTable>, std::string> load_rotated_keys(
    std::shared_ptr<const SigningTable> table, const config::File& file, const Clock& clock) {
  try {
    const auto settings = rotation::settings_from_config(file);
    if (!settings.signer_uses_rotation) {
      metrics::set_retiring_keys({});
      return table;
    }
    auto store = rotation::open_rotation_store(file, clock);
    rotation::RecordStore records(*store);
    auto loaded = records.all();
    if (!loaded) return std::unexpected("keys.rotation: " + loaded.error());
    for (const auto& problem : loaded->problems) log::warning("keys.rotation: {}", problem);
    publish_retire_times(*table, loaded->records, settings.timing);
    return with_rotated_keys(*table, rotation::active_keys(loaded->records));
  } catch (const StartupError& e) {
    return std::unexpected(e.what());
  }
}

}  // namespace postseal::signer
