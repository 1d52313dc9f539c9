// digest.hpp - SHA-256 as an EVP_MD fetched once for the process.
//
// OpenSSL 3 looks a digest up again ("implicit fetch") each time a context is set up with the
// legacy EVP_sha256() handle: a lock and a table search per message and per signature. The
// handle returned here is fetched on first use and kept until exit; it is thread-safe to share.
// RFC 6376 3.3 (DKIM hashes with SHA-256). No untrusted input. Limits: none.
#pragma once

typedef struct evp_md_st EVP_MD;

namespace postseal::crypto {

// sha256 - the fetched SHA-256 digest (never null: falls back to EVP_sha256()).
const EVP_MD* sha256();

// fetched - `md` itself, or the fetched SHA-256 when md is the legacy EVP_sha256() handle.
const EVP_MD* fetched(const EVP_MD* md);

}  // namespace postseal::crypto
