// sender_rows.hpp - the [[signer.sender]] tables of postseal.toml: per-address signing, as
// OpenDKIM's SigningTable does (docs/migration.md, "Per-address signing").
//
//   [[signer.sender]]
//   address = "alice@example.com"        # or "*@example.com", "*@*.example.com"
//   domain = "example.com"               # d=; default: the address's domain
//   keys = ["alice2026:/etc/postseal/keys/alice2026.private"]
//   identity = "alice@example.com"       # i= (optional; within d=, RFC 6376 3.5)
//
// A row's h=, c=, x= and require_signature are those of the [[signer.domain]] row that signs
// its d= (signing_table.hpp lookup), else the defaults; sender rows add no DomainKeys
// signature. Precedence: every matching sender row before the From domain's row, the most
// specific first (sender_pattern.hpp); the first signs, or with signer.multiple_signatures
// every one (signature_plan.hpp). Rotation (`postseal keys`) is per domain: a sender
// row's keys are never replaced by rotated keys (docs/key-rotation.md).
//
// Untrusted input: the config file (local admin) and the key files. Limits: kMaxSenderRows
// rows, kMaxSenderAddressOctets per address; each error names the file, line and key.
#pragma once

#include "signer/filter/key_files.hpp"
#include "signer/filter/signing_table.hpp"

#include <cstddef>
#include <vector>

namespace postseal::config {
class File;
}

namespace postseal::signer {

// kMaxSenderRows - [[signer.sender]] tables in one file at most.
inline constexpr std::size_t kMaxSenderRows = 10000;

// sender_policies - the file's [[signer.sender]] rows with their keys loaded and options taken
// from `domains` (the [[signer.domain]] rows); problems appended to `found`.
std::vector<SenderPolicy> sender_policies(const config::File& file, const SigningTable& domains,
                                          Problems& found);

}  // namespace postseal::signer
