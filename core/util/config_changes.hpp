// config_changes.hpp - which keys differ between two loaded config files: a daemon compares
// the file it started with and the one a SIGHUP rereads, for the keys it reads only at start
// (listen addresses, threads, the resolver...), so it can name them instead of ignoring them.
//
// Untrusted input: none (both files were loaded and checked by config::File).
#pragma once

#include "core/util/config.hpp"

#include <span>
#include <string>
#include <vector>

namespace postseal::config {

// changed - the declared `paths` whose values differ between the two files (a key absent from
// a file has its default, so writing a default out is no change), in the order given.
std::vector<std::string> changed(const File& running, const File& reread,
                                 std::span<const std::string> paths);

// restart_note - "changed, restart to apply (the running values stay): KEY (FILE, line N),
// ..." for each of `keys` whose value `reread` changes from `running`; empty when none. The
// daemons log it as one warning on SIGHUP and apply the rest of the file.
std::string restart_note(const File& running, const File& reread, std::span<const std::string> keys);

}  // namespace postseal::config
