// key_contexts.cpp - OpenSSL contexts set up once per key and lent out (see key_contexts.hpp).
//
// A context is lent to one caller at a time: taken from the idle list under the mutex (or made
// when the list is empty, outside it), used without the lock, and given back (or freed when
// kMaxIdleContexts are idle already, or when an operation on it failed).
#include "core/crypto/key_contexts.hpp"

#include "core/crypto/digest.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <unordered_map>

namespace postseal::crypto {

namespace {

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

// new_rsa_context - an RSA context set up for PKCS#1 v1.5 over a SHA-256 digest.
EVP_PKEY_CTX* new_rsa_context(EVP_PKEY* key, bool sign) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr);
  if (ctx == nullptr) return nullptr;
  bool ok = (sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)) == 1 &&
            EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
            EVP_PKEY_CTX_set_signature_md(ctx, sha256()) == 1;
  if (ok) return ctx;
  EVP_PKEY_CTX_free(ctx);
  ERR_clear_error();
  return nullptr;
}

// arm_ed - set an Ed25519 context up for one EVP_DigestSign/Verify call; key null: again for
// the key it had (OpenSSL 3 wants that between one-shot calls).
bool arm_ed(EVP_MD_CTX* ctx, EVP_PKEY* key, bool sign) {
  int ok = sign ? EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key)
                : EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key);
  if (ok == 1) return true;
  ERR_clear_error();
  return false;
}

// new_ed_context - an Ed25519 context set up for the key.
EVP_MD_CTX* new_ed_context(EVP_PKEY* key, bool sign) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx != nullptr && arm_ed(ctx, key, sign)) return ctx;
  EVP_MD_CTX_free(ctx);
  return nullptr;
}

// take - the last idle context, or null.
template <typename T>
T* take(std::vector<T*>& idle) {
  if (idle.empty()) return nullptr;
  T* ctx = idle.back();
  idle.pop_back();
  return ctx;
}

// keep - put a context back on its idle list; false when the list is full.
template <typename T>
bool keep(std::vector<T*>& idle, T* ctx) {
  if (idle.size() >= kMaxIdleContexts) return false;
  idle.push_back(ctx);
  return true;
}

}  // namespace

KeyContexts::KeyContexts(EVP_PKEY* key) : key_(key) { EVP_PKEY_up_ref(key_); }

KeyContexts::~KeyContexts() {
  for (auto* ctx : idle_.rsa_verify) EVP_PKEY_CTX_free(ctx);
  for (auto* ctx : idle_.rsa_sign) EVP_PKEY_CTX_free(ctx);
  for (auto* ctx : idle_.ed_verify) EVP_MD_CTX_free(ctx);
  for (auto* ctx : idle_.ed_sign) EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key_);
}

EVP_PKEY_CTX* KeyContexts::take_rsa(bool sign) const {
  {
    std::lock_guard lock(mutex_);
    if (EVP_PKEY_CTX* ctx = take(sign ? idle_.rsa_sign : idle_.rsa_verify)) return ctx;
  }
  return new_rsa_context(key_, sign);
}

void KeyContexts::give_rsa(bool sign, EVP_PKEY_CTX* ctx) const {
  {
    std::lock_guard lock(mutex_);
    if (keep(sign ? idle_.rsa_sign : idle_.rsa_verify, ctx)) return;
  }
  EVP_PKEY_CTX_free(ctx);
}

EVP_MD_CTX* KeyContexts::take_ed(bool sign) const {
  EVP_MD_CTX* ctx = nullptr;
  {
    std::lock_guard lock(mutex_);
    ctx = take(sign ? idle_.ed_sign : idle_.ed_verify);
  }
  if (ctx != nullptr && arm_ed(ctx, nullptr, sign)) return ctx;
  EVP_MD_CTX_free(ctx);
  return new_ed_context(key_, sign);
}

void KeyContexts::give_ed(bool sign, EVP_MD_CTX* ctx) const {
  {
    std::lock_guard lock(mutex_);
    if (keep(sign ? idle_.ed_sign : idle_.ed_verify, ctx)) return;
  }
  EVP_MD_CTX_free(ctx);
}

bool KeyContexts::verify_rsa_sha256(std::string_view digest, std::string_view signature) const {
  if (digest.size() != kSha256Octets) return false;
  EVP_PKEY_CTX* ctx = take_rsa(false);
  if (ctx == nullptr) return false;
  int ok = EVP_PKEY_verify(ctx, bytes(signature), signature.size(), bytes(digest), digest.size());
  ERR_clear_error();  // a signature that does not verify leaves an error entry behind
  give_rsa(false, ctx);
  return ok == 1;
}

bool KeyContexts::verify_ed25519(std::string_view message, std::string_view signature) const {
  EVP_MD_CTX* ctx = take_ed(false);
  if (ctx == nullptr) return false;
  int ok =
      EVP_DigestVerify(ctx, bytes(signature), signature.size(), bytes(message), message.size());
  ERR_clear_error();
  give_ed(false, ctx);
  return ok == 1;
}

std::optional<std::string> KeyContexts::sign_rsa_sha256(std::string_view digest) const {
  if (digest.size() != kSha256Octets) return std::nullopt;
  EVP_PKEY_CTX* ctx = take_rsa(true);
  if (ctx == nullptr) return std::nullopt;
  std::string sig(static_cast<std::size_t>(EVP_PKEY_get_size(key_)), '\0');
  std::size_t len = sig.size();
  if (EVP_PKEY_sign(ctx, bytes(sig), &len, bytes(digest), digest.size()) != 1 || len > sig.size()) {
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return std::nullopt;
  }
  give_rsa(true, ctx);
  sig.resize(len);
  return sig;
}

std::optional<std::string> KeyContexts::sign_ed25519(std::string_view message) const {
  EVP_MD_CTX* ctx = take_ed(true);
  if (ctx == nullptr) return std::nullopt;
  std::string sig(static_cast<std::size_t>(EVP_PKEY_get_size(key_)), '\0');
  std::size_t len = sig.size();
  if (EVP_DigestSign(ctx, bytes(sig), &len, bytes(message), message.size()) != 1 ||
      len > sig.size()) {
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return std::nullopt;
  }
  give_ed(true, ctx);
  sig.resize(len);
  return sig;
}

std::shared_ptr<const KeyContexts> for_private_key(const std::shared_ptr<const PrivateKey>& key) {
  struct Entry {
    std::weak_ptr<const PrivateKey> owner;
    std::shared_ptr<const KeyContexts> contexts;
  };
  struct Registry {
    std::mutex mutex;
    std::unordered_map<const PrivateKey*, Entry> keys;
  };
  static Registry* const registry = new Registry;  // never destroyed: used until exit
  std::lock_guard lock(registry->mutex);
  auto& keys = registry->keys;
  // an entry is this key only while its owner is alive: another key may live at a freed address
  if (auto it = keys.find(key.get()); it != keys.end() && it->second.owner.lock() == key)
    return it->second.contexts;
  std::erase_if(keys, [](const auto& e) { return e.second.owner.expired(); });
  if (keys.size() >= kMaxSigningKeys) keys.clear();
  auto made = std::make_shared<const KeyContexts>(key->pkey());
  keys.insert_or_assign(key.get(), Entry{key, made});
  return made;
}

std::string sha256_digest(std::string_view data) {
  std::string digest(kSha256Octets, '\0');
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), bytes(digest), &len, sha256(), nullptr) != 1) len = 0;
  digest.resize(len);
  return digest;
}

}  // namespace postseal::crypto
