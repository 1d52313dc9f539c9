// private_key.cpp - load DKIM private keys (RSA, Ed25519) from PEM, bare DER or raw seeds.
//
// RFC 8301 3.2 (RSA >= 1024 bits, SHOULD >= 2048), RFC 8463 3-4 (Ed25519). Untrusted input: a
// local key file that may be too open, truncated or of the wrong kind. Limits: kMaxKeyFileBytes
// per file, kMinRsaBits (refused, naming the file), kRecommendedRsaBits (size_warning()); files
// readable by group or others are refused with the chmod that fixes them.
// unreadable_by() is the key file case of core/util/read_file.hpp's check.
#include "core/crypto/private_key.hpp"

#include "core/crypto/base64.hpp"
#include "core/util/read_file.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace postseal::crypto {

namespace {

// kEd25519SeedBytes - RFC 8032 5.1.5: an Ed25519 private key is a 32-octet seed.
constexpr std::size_t kEd25519SeedBytes = 32;

using Loaded = std::expected<std::shared_ptr<const PrivateKey>, std::string>;

// read_key_file - the file's text after the permission and size checks.
std::expected<std::string, std::string> read_key_file(const std::filesystem::path& path,
                                                      bool check_permissions) {
  const std::string name = path.string();
  int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // a FIFO must not block
  if (fd < 0) return std::unexpected(fmt::format("cannot open key file {}: {}", name, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return std::unexpected(fmt::format("key file {} is not a regular file", name));
  }
  if (check_permissions && (st.st_mode & 077) != 0) {
    ::close(fd);
    return std::unexpected(fmt::format(
        "key file {} is readable by group or others; run: chmod 600 {}", name, name));
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxKeyFileBytes) {
    ::close(fd);
    return std::unexpected(fmt::format("key file {} is larger than {} bytes: not a key", name,
                                       kMaxKeyFileBytes));
  }
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  text.resize(got);
  return text;
}

// parse_pem - PKCS#1 ("RSA PRIVATE KEY") or PKCS#8 ("PRIVATE KEY") PEM text.
EVP_PKEY* parse_pem(std::string_view text) {
  BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
  if (bio == nullptr) return nullptr;
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, const_cast<char*>(""));
  BIO_free(bio);
  return pkey;
}

// parse_bare - base64 without markers: DER (PKCS#1 or PKCS#8) or a raw Ed25519 seed.
EVP_PKEY* parse_bare(std::string_view text) {
  auto der = base64_decode(text, kMaxKeyFileBytes);
  if (!der || der->empty()) return nullptr;
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  if (der->size() == kEd25519SeedBytes) {
    return EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, p, der->size());
  }
  return d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der->size()));
}

}  // namespace

std::optional<std::string> unreadable_by(const std::filesystem::path& path, const std::string& name,
                                         uid_t uid, gid_t gid) {
  return postseal::unreadable_by(path, "key file", name, uid, gid,
                                 fmt::format(" (or make keys with: postseal keygen --owner {})", name));
}

std::string_view to_string(KeyType t) { return t == KeyType::rsa ? "rsa" : "ed25519"; }

PrivateKey::~PrivateKey() { EVP_PKEY_free(pkey_); }

Loaded PrivateKey::load(const std::filesystem::path& path, bool check_permissions) {
  auto text = read_key_file(path, check_permissions);
  if (!text) return std::unexpected(text.error());
  return from_pem(*text, path.string());
}

Loaded PrivateKey::from_pem(std::string_view text, std::string_view origin) {
  if (text.size() > kMaxKeyFileBytes) {
    return std::unexpected(fmt::format("key {} is larger than {} bytes: not a key", origin, kMaxKeyFileBytes));
  }
  bool has_markers = text.find("-----BEGIN") != std::string_view::npos;
  EVP_PKEY* pkey = has_markers ? parse_pem(text) : parse_bare(text);
  if (pkey == nullptr) {
    return std::unexpected(fmt::format(
        "key {} is not a readable private key (expected PEM PKCS#1/PKCS#8 or base64 DER)", origin));
  }
  int id = EVP_PKEY_get_base_id(pkey);
  if (id != EVP_PKEY_RSA && id != EVP_PKEY_ED25519) {
    EVP_PKEY_free(pkey);
    return std::unexpected(fmt::format("key {} is neither an RSA nor an Ed25519 private key", origin));
  }
  int bits = EVP_PKEY_get_bits(pkey);
  if (id == EVP_PKEY_RSA && bits < kMinRsaBits) {
    EVP_PKEY_free(pkey);
    return std::unexpected(fmt::format(
        "key {}: RSA key of {} bits is below {} (RFC 8301 3.2; Gmail and Yahoo require at least "
        "{}); make a {}-bit key with postseal keygen",
        origin, bits, kMinRsaBits, kMinRsaBits, kRecommendedRsaBits));
  }
  KeyType type = id == EVP_PKEY_RSA ? KeyType::rsa : KeyType::ed25519;
  return std::shared_ptr<const PrivateKey>(new PrivateKey(pkey, type, bits));
}

std::optional<std::string> size_warning(const PrivateKey& key, std::string_view origin) {
  if (key.type() != KeyType::rsa || key.bits() >= kRecommendedRsaBits) return std::nullopt;
  return fmt::format(
      "RSA key {} is {} bits; Gmail and Yahoo require at least {}, {} is recommended", origin,
      key.bits(), kMinRsaBits, kRecommendedRsaBits);
}

std::string PrivateKey::public_key_base64() const {
  if (type_ == KeyType::ed25519) {
    unsigned char raw[kEd25519SeedBytes];
    std::size_t len = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(pkey_, raw, &len) != 1) return {};
    return base64_encode(std::string_view(reinterpret_cast<const char*>(raw), len));
  }
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(pkey_, &der);
  if (len <= 0) return {};
  std::string out = base64_encode(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  return out;
}

}  // namespace postseal::crypto
