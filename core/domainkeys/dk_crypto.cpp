// dk_crypto.cpp - SHA-1 stream and RSA PKCS#1 v1.5 sign/verify (see dk_crypto.hpp).
#include "core/domainkeys/dk_crypto.hpp"

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <cassert>

namespace postseal::domainkeys {

namespace {

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

struct CtxDeleter {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, CtxDeleter>;

// sha1_ctx - a PKEY context set up for PKCS#1 v1.5 with SHA-1; null on failure.
PkeyCtxPtr sha1_ctx(EVP_PKEY* key, bool sign) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (!ctx) return nullptr;
  int ok = sign ? EVP_PKEY_sign_init(ctx.get()) : EVP_PKEY_verify_init(ctx.get());
  if (ok <= 0 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha1()) <= 0) {
    return nullptr;
  }
  return ctx;
}

}  // namespace

Sha1Stream::Sha1Stream() : ctx_(EVP_MD_CTX_new()) {
  assert(ctx_ != nullptr);
  EVP_DigestInit_ex(ctx_, EVP_sha1(), nullptr);
}
Sha1Stream::~Sha1Stream() { EVP_MD_CTX_free(ctx_); }
Sha1Stream::Sha1Stream(Sha1Stream&& other) noexcept : ctx_(other.ctx_) { other.ctx_ = nullptr; }

void Sha1Stream::update(std::string_view data) {
  if (!data.empty()) EVP_DigestUpdate(ctx_, data.data(), data.size());
}

std::string Sha1Stream::finish() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_, md, &len);
  return std::string(reinterpret_cast<char*>(md), len);
}

std::expected<std::string, std::string> rsa_sha1_sign(EVP_PKEY* key, std::string_view digest) {
  if (key == nullptr || EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
    return std::unexpected("not an RSA key");
  }
  PkeyCtxPtr ctx = sha1_ctx(key, true);
  std::size_t len = 0;
  if (!ctx || EVP_PKEY_sign(ctx.get(), nullptr, &len, bytes(digest), digest.size()) <= 0) {
    return std::unexpected("OpenSSL refused to set up an rsa-sha1 signature");
  }
  std::string sig(len, '\0');
  if (EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                    bytes(digest), digest.size()) <= 0) {
    return std::unexpected("OpenSSL failed to make the rsa-sha1 signature");
  }
  sig.resize(len);
  return sig;
}

bool rsa_sha1_verify(EVP_PKEY* key, std::string_view digest, std::string_view signature) {
  PkeyCtxPtr ctx = sha1_ctx(key, false);
  if (!ctx) return false;
  return EVP_PKEY_verify(ctx.get(), bytes(signature), signature.size(), bytes(digest),
                         digest.size()) == 1;
}

int key_bits(EVP_PKEY* key) { return EVP_PKEY_get_bits(key); }

}  // namespace postseal::domainkeys
