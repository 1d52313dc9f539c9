// secrets.cpp - read and check the secrets file (see secrets.hpp).
#include "srs/secrets.hpp"

#include "core/util/errors.hpp"
#include "core/util/read_file.hpp"
#include "srs/codec.hpp"

#include <fmt/format.h>
#include <sys/stat.h>


namespace postseal::srs {

// kMaxSecretsFileOctets - the file is read whole; anything larger is not a secrets file.
inline constexpr std::size_t kMaxSecretsFileOctets = kMaxSecrets * (kMaxSecretOctets + 2);

std::expected<std::vector<std::string>, std::string> parse_secrets(std::string_view text) {
  std::vector<std::string> out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.size() > kMaxSecretOctets)
      return std::unexpected(fmt::format("line {}: secret longer than {} octets", line_no, kMaxSecretOctets));
    if (out.size() == kMaxSecrets)
      return std::unexpected(fmt::format("more than {} secrets", kMaxSecrets));
    out.emplace_back(line);
  }
  if (out.empty()) return std::unexpected("no secret in the file");
  return out;
}

std::vector<std::string> load_secrets(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw StartupError(kExitNoInput, fmt::format("cannot read SRS secrets file {}", path.string()));
  if (!S_ISREG(st.st_mode))
    throw config_error(fmt::format("SRS secrets file {} is not a regular file", path.string()));
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    throw StartupError(kExitNoPerm,
                       fmt::format("SRS secrets file {} is accessible by group or others (mode {:04o}); "
                                   "run: chmod 600 {}",
                                   path.string(), st.st_mode & 07777, path.string()));
  if (static_cast<std::size_t>(st.st_size) > kMaxSecretsFileOctets)
    throw config_error(fmt::format("SRS secrets file {} is larger than {} octets", path.string(),
                                   kMaxSecretsFileOctets));
  auto text = read_local_file(path, kMaxSecretsFileOctets, FileKind::regular);
  if (!text)
    throw StartupError(kExitNoInput,
                       fmt::format("cannot read SRS secrets file {}: {}", path.string(), text.error()));
  auto secrets = parse_secrets(*text);
  if (!secrets) throw config_error(fmt::format("SRS secrets file {}: {}", path.string(), secrets.error()));
  return std::move(*secrets);
}

}  // namespace postseal::srs
