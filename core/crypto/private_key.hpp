// private_key.hpp - a DKIM private key loaded once from a PEM file (RSA or Ed25519).
//
// Untrusted input: the key file (local, but possibly wrong, corrupt or too open). Loading
// refuses files readable by group or others (naming the file and the chmod that fixes it),
// RSA keys under kMinRsaBits (naming the file and the size), and anything that is not an RSA
// or Ed25519 private key; an RSA key under kRecommendedRsaBits loads, and size_warning() gives
// the warning its loader logs (docs/security.md 18). Accepts PKCS#1 and PKCS#8 PEM, and base64
// without PEM markers (as dkimpy's data has). Keys are parsed once at start-up or reload and
// shared (std::shared_ptr<const PrivateKey>) by all sessions.
#pragma once

#include <cstddef>
#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

typedef struct evp_pkey_st EVP_PKEY;

namespace postseal::crypto {

// kMinRsaBits - RFC 8301 3.2: signers must use at least 1024 bits (Gmail and Yahoo require it).
inline constexpr int kMinRsaBits = 1024;
// kRecommendedRsaBits - RFC 8301 3.2 says SHOULD use at least this; smaller keys get a warning.
inline constexpr int kRecommendedRsaBits = 2048;
// kMaxKeyFileBytes - a private key file larger than this is not a key.
inline constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;

enum class KeyType { rsa, ed25519 };
std::string_view to_string(KeyType t);  // "rsa", "ed25519" (the k= value)

class PrivateKey {
 public:
  // load - read a key file; the error names the file and says what is wrong.
  static std::expected<std::shared_ptr<const PrivateKey>, std::string> load(
      const std::filesystem::path& path, bool check_permissions = true);
  // from_pem - parse key text (PEM or bare base64 DER); `origin` names it in errors.
  static std::expected<std::shared_ptr<const PrivateKey>, std::string> from_pem(
      std::string_view text, std::string_view origin);

  ~PrivateKey();
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;

  KeyType type() const { return type_; }
  int bits() const { return bits_; }
  EVP_PKEY* pkey() const { return pkey_; }
  // public_key_base64 - the p= value: base64 SubjectPublicKeyInfo (RSA) or the raw 32-octet
  // public key (Ed25519, RFC 8463 4).
  std::string public_key_base64() const;

 private:
  PrivateKey(EVP_PKEY* pkey, KeyType type, int bits) : pkey_(pkey), type_(type), bits_(bits) {}
  EVP_PKEY* pkey_;
  KeyType type_;
  int bits_;
};

// size_warning - for an RSA key under kRecommendedRsaBits, a warning naming `origin` (the key
// file) and the size; std::nullopt for any other key.
std::optional<std::string> size_warning(const PrivateKey& key, std::string_view origin);

// unreadable_by - why the user `name` (uid, gid: what a daemon runs as after dropping root)
// could not open the key file at `path`, as it must on a reload: the file is not readable by
// it, or a directory on the way is not searchable by it. The message names the file and the
// command that fixes it. std::nullopt when it can, or when `path` cannot be examined (load()
// reports a missing file).
std::optional<std::string> unreadable_by(const std::filesystem::path& path, const std::string& name,
                                         uid_t uid, gid_t gid);

}  // namespace postseal::crypto
