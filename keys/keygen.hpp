// keygen.hpp - make a DKIM key pair and write it where an admin expects it.
//
// RFC 8301 3.2 (RSA >= 1024 bits; we default to 2048), RFC 8463 (Ed25519). Writes
// DIR/SELECTOR.private (PKCS#8 PEM, mode 0600, created with O_CREAT|O_EXCL|O_NOFOLLOW so an
// existing file or a planted symlink is never overwritten or followed) and DIR/SELECTOR.txt
// (the zone-file line). With an owner (`--owner USER[:GROUP]`) the private key is given to that
// user before anything is written to it, so a daemon that dropped to that user (signer.user,
// "postseal" in the package) can reread it on reload; still 0600, since the loader refuses keys
// readable by group or others. Untrusted input: domain, selector, directory and owner from the
// command line (names validated by keys/names.hpp, owner looked up in the user database).
// Limits: kMinRsaBits..kMaxRsaBits.
#pragma once

#include "core/crypto/private_key.hpp"
#include "keys/txt_record.hpp"

#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace postseal::keys {

// kMaxRsaBits - bigger keys take minutes to make and no DNS TXT answer fits them well.
inline constexpr int kMaxRsaBits = 8192;
inline constexpr int kDefaultRsaBits = 2048;

struct KeygenRequest {
  std::string domain;
  std::string selector;
  crypto::KeyType type = crypto::KeyType::rsa;
  int bits = kDefaultRsaBits;  // RSA only
  std::filesystem::path dir = ".";
  std::string owner;  // "USER" or "USER:GROUP" to own the private key; "" = the caller
};

// FileOwner - the numeric owner a new file is given.
struct FileOwner {
  uid_t uid = 0;
  gid_t gid = 0;
};

struct KeygenResult {
  std::filesystem::path private_file;
  std::filesystem::path txt_file;
  KeyRecord record;
  std::shared_ptr<const crypto::PrivateKey> key;
};

// check_request - nullopt when the request is valid, else a message an admin can act on.
std::optional<std::string> check_request(const KeygenRequest& request);
// generate_key - a fresh key of the requested type and size.
std::expected<std::shared_ptr<const crypto::PrivateKey>, std::string> generate_key(crypto::KeyType type, int bits);
// resolve_owner - "USER" (with the user's primary group) or "USER:GROUP" as ids, or a message
// naming what is unknown.
std::expected<FileOwner, std::string> resolve_owner(std::string_view spec);
// write_new_file - create `path` with O_EXCL|O_NOFOLLOW and `mode`, give it to `owner` if set,
// write `text`. A file that cannot be given to its owner is removed again.
std::expected<void, std::string> write_new_file(const std::filesystem::path& path, std::string_view text,
                                                unsigned mode, std::optional<FileOwner> owner = std::nullopt);
// private_key_pem - the key as PKCS#8 PEM.
std::string private_key_pem(const crypto::PrivateKey& key);
// keygen - all of the above: validate, generate, write both files, return the record.
std::expected<KeygenResult, std::string> keygen(const KeygenRequest& request);

}  // namespace postseal::keys
