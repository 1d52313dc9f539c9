// keygen.hpp - make a DKIM key pair and write it where an admin expects it.
//
// RFC 8301 3.2 (RSA >= 1024 bits; we default to 2048), RFC 8463 (Ed25519). Writes
// DIR/SELECTOR.private (PKCS#8 PEM, mode 0600, created with O_CREAT|O_EXCL|O_NOFOLLOW so an
// existing file or a planted symlink is never overwritten or followed) and DIR/SELECTOR.txt
// (the zone-file line). Untrusted input: domain, selector and directory from the command line
// (names validated by keys/names.hpp). Limits: kMinRsaBits..kMaxRsaBits.
#pragma once

#include "core/crypto/private_key.hpp"
#include "keys/txt_record.hpp"

#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

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
// write_new_file - create `path` with O_EXCL|O_NOFOLLOW and `mode`, write `text`.
std::expected<void, std::string> write_new_file(const std::filesystem::path& path, std::string_view text,
                                                unsigned mode);
// private_key_pem - the key as PKCS#8 PEM.
std::string private_key_pem(const crypto::PrivateKey& key);
// keygen - all of the above: validate, generate, write both files, return the record.
std::expected<KeygenResult, std::string> keygen(const KeygenRequest& request);

}  // namespace postseal::keys
