// key_files.hpp - load a signing row's "SELECTOR:KEYFILE" entries ([[signer.domain]] and
// [[signer.sender]] keys) and collect what loading found.
//
// Untrusted input: the config entries and key files (local admin). Keys are refused when
// group/other-readable or RSA under 1024 bits (crypto::PrivateKey::load); an RSA key under
// 2048 bits loads with a warning naming its file, once per file (docs/security.md 18).
#pragma once

#include "core/dkim/message_signer.hpp"

#include <string>
#include <vector>

namespace postseal::signer {

// Problems - what building a signing table found: errors refuse it, warnings go with it.
struct Problems {
  std::string errors;  // each after a "\n"
  std::vector<std::string> warnings;
};

// load_keys - "selector:path" entries signing with d=`domain`; `row` names the row in errors
// ("signer.domain 'example.com'"); errors and key-size warnings appended to `found`.
std::vector<dkim::SignerKey> load_keys(const std::string& domain,
                                       const std::vector<std::string>& entries,
                                       const std::string& row, Problems& found);

}  // namespace postseal::signer
