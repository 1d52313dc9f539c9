// keygen.cpp - generate RSA/Ed25519 DKIM keys and write them safely (docs/security.md 42).
//
// Files are created with O_CREAT|O_EXCL|O_NOFOLLOW|O_WRONLY and an explicit mode (0600 for
// the private key), never overwriting: an existing file is an error naming it. Both paths are
// checked, and the owner looked up, before anything is written, so a refused run leaves nothing
// behind. The owner is set with fchown on the open descriptor before the key is written.
#include "keys/keygen.hpp"

#include "core/dkim/key_names.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cerrno>
#include <cstring>
#include <vector>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace postseal::keys {

std::optional<std::string> check_request(const KeygenRequest& r) {
  if (auto err = dkim::check_domain(r.domain)) return err;
  if (auto err = dkim::check_selector(r.selector)) return err;
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

namespace {

// kNameBufferBytes - room for one passwd or group entry (getpwnam_r / getgrnam_r).
constexpr std::size_t kNameBufferBytes = 16384;

std::optional<passwd> find_user(const std::string& name, std::vector<char>& buf) {
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwnam_r(name.c_str(), &entry, buf.data(), buf.size(), &found) != 0 || found == nullptr) return std::nullopt;
  return entry;
}

std::optional<gid_t> find_group(const std::string& name, std::vector<char>& buf) {
  group entry{};
  group* found = nullptr;
  if (::getgrnam_r(name.c_str(), &entry, buf.data(), buf.size(), &found) != 0 || found == nullptr) return std::nullopt;
  return entry.gr_gid;
}

}  // namespace

std::expected<FileOwner, std::string> resolve_owner(std::string_view spec) {
  std::size_t colon = spec.find(':');
  std::string user(spec.substr(0, colon));
  std::vector<char> buf(kNameBufferBytes);
  auto pw = find_user(user, buf);
  if (user.empty() || !pw) return std::unexpected(fmt::format("--owner {}: no user '{}' on this system", spec, user));
  FileOwner owner{pw->pw_uid, pw->pw_gid};
  if (colon == std::string_view::npos) return owner;
  std::string group_name(spec.substr(colon + 1));
  auto gid = find_group(group_name, buf);
  if (group_name.empty() || !gid) {
    return std::unexpected(fmt::format("--owner {}: no group '{}' on this system", spec, group_name));
  }
  owner.gid = *gid;
  return owner;
}

std::expected<void, std::string> write_new_file(const std::filesystem::path& path, std::string_view text,
                                                unsigned mode, std::optional<FileOwner> owner) {
  int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) {
      return std::unexpected(fmt::format("{} already exists; not overwriting it (move it away or pick another selector)", path.string()));
    }
    return std::unexpected(fmt::format("cannot create {}: {}", path.string(), std::strerror(errno)));
  }
  if (owner && ::fchown(fd, owner->uid, owner->gid) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(path.c_str());
    return std::unexpected(fmt::format("cannot give {} to uid {} gid {}: {} (run keygen as root)", path.string(),
                                       owner->uid, owner->gid, std::strerror(err)));
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
  std::optional<FileOwner> owner;
  if (!r.owner.empty()) {
    auto resolved = resolve_owner(r.owner);
    if (!resolved) return std::unexpected(resolved.error());
    owner = *resolved;
  }
  auto key = generate_key(r.type, r.bits);
  if (!key) return std::unexpected(key.error());
  out.key = *key;
  out.record = make_key_record(r.domain, r.selector, **key);
  if (auto w = write_new_file(out.private_file, private_key_pem(**key), 0600, owner); !w) return std::unexpected(w.error());
  if (auto w = write_new_file(out.txt_file, zone_line(out.record), 0644); !w) return std::unexpected(w.error());
  return out;
}

}  // namespace postseal::keys
