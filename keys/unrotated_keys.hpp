// unrotated_keys.hpp - the keys `postseal keys` does not rotate: those of [[signer.sender]]
// rows (per-address signing, signer/filter/sender_rows.hpp). Rotation state is per domain
// and selector family; a sender's own key is not one of its domain's, so the signer keeps
// signing with it as configured and `postseal keys status` lists it as not rotated
// (docs/key-rotation.md, "Per-address keys").
//
// Untrusted input: the config file (local admin), read as text only (no key is loaded).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postseal::config {
class File;
}

namespace postseal::keys {

// UnrotatedKey - one "SELECTOR:KEYFILE" of a [[signer.sender]] row.
struct UnrotatedKey {
  std::string address, d, selector, file;
};

// unrotated_keys - every sender row key whose d= is `domain` (all when empty).
std::vector<UnrotatedKey> unrotated_keys(const config::File& file, std::string_view domain);

// status_line - the `postseal keys status` line for one: "ADDRESS D SELECTOR: not rotated ...".
std::string status_line(const UnrotatedKey& k);

}  // namespace postseal::keys
