// keygen.cpp - generate RSA/Ed25519 DKIM keys and write them safely (SECURITY 42).
//
// Files are created with O_CREAT|O_EXCL|O_NOFOLLOW|O_WRONLY and an explicit mode (0600 for
// the private key), never overwriting: an existing file is an error naming it. Both paths are
// checked before anything is written, so a refused run leaves nothing behind.
#include "keys/keygen.hpp"

#include "keys/names.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace postseal::keys {

std::optional<std::string> check_request(const KeygenRequest& r) {
  if (auto err = check_domain(r.domain)) return err;
  if (auto err = check_selector(r.selector)) return err;
  if (r.type == crypto::KeyType::rsa && (r.bits < crypto::kMinRsaBits || r.bits > kMaxRsaBits)) {
    return fmt::format("RSA key size {} bits refused: use {} to {} bits (RFC 8301 needs at least {}; 2048 is the default)",
                       r.bits, crypto::kMinRsaBits, kMaxRsaBits, crypto::kMinRsaBits);
  }
  return std::nullopt;
}

namespace {

// pem_of - PKCS#8 PEM text of a private key.
std::string pem_of(EVP_PKEY* pkey) {
  BIO* bio = BIO_new(BIO_s_mem());
  std::string out;
  if (bio != nullptr && PEM_write_bio_PrivateKey(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr) == 1) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    out.assign(data, static_cast<std::size_t>(len));
  }
  BIO_free(bio);
  return out;
}

}  // namespace

std::string private_key_pem(const crypto::PrivateKey& key) { return pem_of(key.pkey()); }

std::expected<std::shared_ptr<const crypto::PrivateKey>, std::string> generate_key(crypto::KeyType type, int bits) {
  EVP_PKEY* pkey = type == crypto::KeyType::rsa
                       ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits))
                       : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (pkey == nullptr) return std::unexpected(std::string("key generation failed in OpenSSL"));
  std::string pem = pem_of(pkey);
  EVP_PKEY_free(pkey);
  return crypto::PrivateKey::from_pem(pem, "(generated)");
}

std::expected<void, std::string> write_new_file(const std::filesystem::path& path, std::string_view text,
                                                unsigned mode) {
  int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) {
      return std::unexpected(fmt::format("{} already exists; not overwriting it (move it away or pick another selector)", path.string()));
    }
    return std::unexpected(fmt::format("cannot create {}: {}", path.string(), std::strerror(errno)));
  }
  bool ok = ::fchmod(fd, mode) == 0;  // the umask may only have narrowed it; make it exact
  std::size_t done = 0;
  while (ok && done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok) return std::unexpected(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
  return {};
}

std::expected<KeygenResult, std::string> keygen(const KeygenRequest& r) {
  if (auto err = check_request(r)) return std::unexpected(*err);
  KeygenResult out;
  out.private_file = r.dir / (r.selector + ".private");
  out.txt_file = r.dir / (r.selector + ".txt");
  for (const auto& p : {out.private_file, out.txt_file}) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) == 0) {
      return std::unexpected(fmt::format("{} already exists; not overwriting it (move it away or pick another selector)", p.string()));
    }
  }
  auto key = generate_key(r.type, r.bits);
  if (!key) return std::unexpected(key.error());
  out.key = *key;
  out.record = make_key_record(r.domain, r.selector, **key);
  if (auto w = write_new_file(out.private_file, private_key_pem(**key), 0600); !w) return std::unexpected(w.error());
  if (auto w = write_new_file(out.txt_file, zone_line(out.record), 0644); !w) return std::unexpected(w.error());
  return out;
}

}  // namespace postseal::keys
