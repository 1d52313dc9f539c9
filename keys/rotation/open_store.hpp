// open_store.hpp - the [state] store as key rotation opens it, in the signer (at start as root,
// on SIGHUP as signer.user) and in `postseal keys` (rotate as root, tick from the timer as
// postseal): an SQLite file that this call creates while running as root is given to
// signer.user at once, so the processes that run as that user can write it later (SQLite
// needs write access even to read in WAL mode). Untrusted input: the config (local admin).
// Throws StartupError as state::open_store does.
#pragma once

#include "core/state/store.hpp"
#include "core/util/clock.hpp"

#include <memory>

namespace postseal::config {
class File;
}

namespace postseal::rotation {

// open_rotation_store - state::open_store of the file's [state] keys, plus the owner fix.
std::unique_ptr<state::Store> open_rotation_store(const config::File& file, const Clock& clock);

}  // namespace postseal::rotation
