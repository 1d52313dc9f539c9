// read_file.hpp - read a whole local file (config, key, secrets) with a size cap, never
// blocking: the file is opened O_NONBLOCK and checked with fstat before anything is read, so a
// FIFO or a device put where a file belongs cannot hang a start-up or a SIGHUP reload.
//
// Untrusted input: the path (local admin) and what it names. Limits: `max_octets` per call;
// a larger file is refused with an error naming the cap, after reading at most max_octets + 1
// octets (so `/dev/zero` fails at once). A directory is refused with EISDIR's text, a FIFO or
// socket as "not a regular file".
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace postseal {

enum class FileKind {
  regular,       // a regular file only (keys, secrets)
  any_readable,  // a regular file or a character device (a config may be /dev/null)
};

// read_local_file - the file's content, or why not (without the path: callers name the file).
std::expected<std::string, std::string> read_local_file(const std::filesystem::path& path,
                                                        std::size_t max_octets, FileKind kind);

// unreadable_by - why the user `name` (uid, gid: what a daemon runs as after dropping root)
// could not open `path`, as it must on a SIGHUP reload: the file is not readable by it, or a
// directory on the way is not searchable by it. Owner, group and other bits are applied as the
// kernel does for an unprivileged user (root reads anything). The message starts with `what`
// and the path ("config file /etc/postseal/postseal.toml") and ends with the command that
// fixes it (chown NAME PATH, then `also`; or chmod o+x DIR). std::nullopt when it can, or
// when `path` cannot be examined (reading it reports a missing file).
std::optional<std::string> unreadable_by(const std::filesystem::path& path, std::string_view what,
                                         const std::string& name, uid_t uid, gid_t gid,
                                         std::string_view also = {});

}  // namespace postseal
