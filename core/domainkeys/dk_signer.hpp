// dk_signer.hpp - sign one message with DomainKeys (RFC 4870 3.3), body streamed.
//
// DomainKeys is historic and SHA-1 only: postseal signs with it only for domains that opt in,
// for legacy receivers, and never uses a DomainKeys result to accept or reject mail.
// The signature (a=rsa-sha1, q=dns) covers the header fields given to finish() (all of them,
// listed in h= unless list_headers is false) and the body, canonicalized with simple or nofws
// (dk_canon.hpp). The signing address is the Sender if present, else the From (3.3); d= must
// be its domain or a parent domain, otherwise no signature is made and finish() says why.
// One SHA-1 runs over header then body, so the header fields must be hashed first: call
// headers() before body() and the body is streamed in O(1) memory; without it the canonical
// body is buffered (at most kMaxBufferedBodyOctets) until finish().
// Untrusted input: the message. RSA keys only (DomainKeys has no Ed25519).
#pragma once

#include "core/crypto/private_key.hpp"
#include "core/domainkeys/dk_canon.hpp"
#include "core/domainkeys/dk_crypto.hpp"
#include "core/mail/header.hpp"

#include <cstddef>
#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::domainkeys {

// kMaxBufferedBodyOctets - canonical body held when headers() was not called first.
inline constexpr std::size_t kMaxBufferedBodyOctets = 64 * 1024 * 1024;

struct DkSignOptions {
  DkCanon canon = DkCanon::nofws;
  bool list_headers = true;  // emit h= naming every signed field
};

// DkSigner - one per message: headers() (optional, first), body chunks, then finish().
class DkSigner {
 public:
  DkSigner(std::string domain, std::string selector, std::shared_ptr<const crypto::PrivateKey> key,
           DkSignOptions options = {});

  // headers - the fields that will follow the DomainKey-Signature, before any body(); the
  // same fields must then be given to finish().
  void headers(const std::vector<mail::HeaderField>& fields);
  // body - body octets with CRLF line ends, dot-unstuffed, split anywhere.
  void body(std::string_view chunk);
  // finish - the DomainKey-Signature field (folded, CRLF-terminated) to insert directly above
  // `fields` (e.g. above the DKIM-Signature fields when those are not in `fields`: with h= they
  // are not covered), or why the message cannot be signed (sender rules, key, size).
  std::expected<std::string, std::string> finish(const std::vector<mail::HeaderField>& fields);

 private:
  std::vector<const mail::HeaderField*> select(const std::vector<mail::HeaderField>& fields) const;
  void hash_headers(const std::vector<const mail::HeaderField*>& fields);
  std::expected<void, std::string> check_sender(
      const std::vector<const mail::HeaderField*>& fields) const;
  static std::size_t fingerprint(const std::vector<mail::HeaderField>& fields);

  std::string domain_;
  std::string selector_;
  std::shared_ptr<const crypto::PrivateKey> key_;
  DkSignOptions options_;
  Sha1Stream sha_;
  BodyCanonicalizer body_;
  std::string pending_;  // canonical body octets not yet hashed
  bool streaming_ = false;
  bool body_started_ = false;
  bool overflow_ = false;
  std::size_t headers_fingerprint_ = 0;
};

}  // namespace postseal::domainkeys
