// secrets.hpp - the SRS secrets file: one secret per line, the first signs, all verify.
//
// Same format as postsrsd's secret file, so an existing one can be used as is. Untrusted
// input: a local file. Limits: at most kMaxSecrets secrets of at most kMaxSecretOctets octets;
// a file that group or others can access is refused (name and chmod in the message), as is an
// empty one. Blank lines are skipped; a trailing CR is dropped; other bytes are the secret.
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::srs {

// parse_secrets - the secrets in a file's text, or why it is unusable.
std::expected<std::vector<std::string>, std::string> parse_secrets(std::string_view text);
// load_secrets - read and check the file; throws StartupError naming the file.
std::vector<std::string> load_secrets(const std::filesystem::path& path);

}  // namespace postseal::srs
