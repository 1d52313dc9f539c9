// plan.hpp - what `postseal keys rotate --domain D` is to make, decided before any key is
// written: one new selector per algorithm the domain signs with (its signer.domain[].keys),
// and the configured keys adopted as the active ones the first time a domain is rotated, so
// the key that signs today is retired and revoked like any other (docs/key-rotation.md).
// `postseal keys tick` plans the same way for one algorithm whose key reached keys.max_age.
// Untrusted input: none beyond the config (validated names) and the store's records.
#pragma once

#include "keys/rotation/record.hpp"

#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::rotation {

// ConfiguredKey - one "SELECTOR:KEYFILE" of the domain's signer.domain[].keys, loaded.
struct ConfiguredKey {
  std::string selector;
  crypto::KeyType a = crypto::KeyType::rsa;
  std::string file;
};

// NewKey - a key to make: its algorithm and selector.
struct NewKey {
  crypto::KeyType a = crypto::KeyType::rsa;
  std::string selector;
};

struct Plan {
  std::vector<Record> adopted;  // configured keys recorded as active (first rotation)
  std::vector<NewKey> keys;     // one per algorithm
};

// plan_rotation - the plan, or why not (a rotation of this domain still pending or published,
// no configured key, no free selector). `file_exists` tells whether a selector's key file is
// already in the key directory. With `only`, the plan covers that algorithm alone, and only
// a pending or published key of that algorithm stops it.
std::expected<Plan, std::string> plan_rotation(
    std::string_view domain, const std::vector<ConfiguredKey>& configured,
    const std::vector<Record>& existing, std::string_view selector_template, std::int64_t now,
    const std::function<bool(std::string_view)>& file_exists,
    std::optional<crypto::KeyType> only = std::nullopt);

}  // namespace postseal::rotation
