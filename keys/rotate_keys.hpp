// rotate_keys.hpp - `postseal keys rotate --domain D`: make the domain's next keys (one per
// algorithm of its signer.domain[].keys) in keys.directory, as keygen does (0600, owned by
// signer.user when run as root, never overwriting), and record them pending
// (docs/key-rotation.md). The first rotation of a domain also records its configured keys
// as the active ones, so they are retired and revoked in turn. `postseal keys tick` calls the
// same code for one algorithm whose active key reached keys.max_age (keys/rotation/max_age.hpp).
// Untrusted input: the domain (command line, dkim::check_domain) and the config's key files
// (crypto::PrivateKey::load's checks). Limits: those of keygen and the store.
#pragma once

#include "core/state/store.hpp"
#include "keys/keygen.hpp"
#include "keys/rotation/record.hpp"
#include "keys/rotation/settings.hpp"

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::config {
class File;
}

namespace postseal::keys {

struct Rotated {
  std::vector<rotation::Record> adopted;  // configured keys now recorded as active
  std::vector<KeygenResult> made;         // the new keys, recorded pending
  std::vector<rotation::Record> recorded;  // their records, in the order of `made`
};

// rotate_domain - plan, write the keys, then the records; an error says what stopped it
// (nothing is recorded for a key that could not be written). With `only`, that algorithm's
// key alone (rotation::plan_rotation).
std::expected<Rotated, std::string> rotate_domain(
    const config::File& file, const rotation::Settings& settings, state::Store& store,
    std::string_view domain, std::int64_t now, std::optional<crypto::KeyType> only = std::nullopt);
// signs_domain - `domain` (lower case) has a [[signer.domain]] table in `file`.
bool signs_domain(const config::File& file, std::string_view domain);

}  // namespace postseal::keys
