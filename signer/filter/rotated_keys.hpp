// rotated_keys.hpp - with keys.rotation = true, the signing table's keys per domain and
// algorithm are the ones `postseal keys tick` made active (keys/rotation/active_keys.hpp), read
// from the [state] store at start and on SIGHUP; signer.domain[].keys is the starting point
// and signs any algorithm the rotation has no active key for (docs/key-rotation.md).
// [[signer.sender]] rows (per-address keys, sender_rows.hpp) are not rotated: they keep their
// configured keys, and `postseal check-config` says so when keys.rotation = true.
//
// A key becomes active only after its record was seen in DNS for keys.publish_lead, so the
// signer never signs with an unpublished key. Untrusted input: the store's records (parsed by
// keys/rotation/record.hpp) and the key files they name (loaded with the same checks as
// configured keys: mode, size, type; a key whose type is not the record's is refused).
// Failure: the store unreadable or an active key unusable is an error: at start the signer
// does not start, on SIGHUP the old table stays.
#pragma once

#include "core/util/clock.hpp"
#include "keys/rotation/record.hpp"
#include "signer/filter/signing_table.hpp"

#include <expected>
#include <memory>
#include <string>
#include <vector>

namespace postseal::config {
class File;
}

namespace postseal::signer {

// with_rotated_keys - `table` with each domain's key of a record's algorithm replaced by the
// record's key (added when the domain has none of that algorithm); domains not in the table
// are ignored.
std::expected<std::shared_ptr<const SigningTable>, std::string> with_rotated_keys(
    const SigningTable& table, const std::vector<rotation::Record>& active);

// load_rotated_keys - `table` unchanged when keys.rotation is false, else with the active
// keys of the store [state] names; the retiring keys of the table's domains, and with
// keys.max_age their active keys, go to postseal_key_retire_seconds (core/metrics/key_retire.hpp).
std::expected<std::shared_ptr<const SigningTable>, std::string> load_rotated_keys(
    std::shared_ptr<const SigningTable> table, const config::File& file, const Clock& clock);

}  // namespace postseal::signer
