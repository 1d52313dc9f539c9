// message_signer.hpp - sign one message with one or more keys, body streamed in chunks.
//
// RFC 6376 5 (signer actions), 3.4 (canonicalization), 3.5 (the DKIM-Signature field),
// RFC 8463 (ed25519-sha256), RFC 8301 (no rsa-sha1, no RSA < 1024 bits). The body is hashed
// once per canonicalization as chunks arrive, so dual RSA+Ed25519 signing hashes it once and
// memory does not grow with message size. Never emits l=. The default header list is RFC 6376
// 5.4.1's recommended set and RFC 8058 4's List-Unsubscribe-Post present in the message, with
// From, To, Cc, Subject, Date, Message-ID, Reply-To, Content-Type and MIME-Version oversigned
// (listed once more than they occur, also when absent) and List-Unsubscribe and
// List-Unsubscribe-Post oversigned when present (not named when absent); docs/security.md 16.
// Untrusted input: the message (headers already split by core/mail/header.hpp).
#pragma once

#include "core/crypto/private_key.hpp"
#include "core/dkim/canonicalize.hpp"
#include "core/dkim/signature.hpp"
#include "core/mail/header.hpp"
#include "core/util/clock.hpp"

#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::dkim {

// SignerKey - one signature to make: d=, s= and the key (its type picks a=).
struct SignerKey {
  std::string domain;    // d=
  std::string selector;  // s=
  std::shared_ptr<const crypto::PrivateKey> key;
  std::string path;      // the key file it came from (key age in the metrics); may be empty
};

struct SignOptions {
  Canon header_canon = Canon::relaxed;
  Canon body_canon = Canon::relaxed;
  std::vector<std::string> headers;            // h= as given; empty: the default set
  std::optional<std::int64_t> expire_seconds;  // x= = t= + this
  bool timestamp = true;                       // emit t=
  std::string identity;                        // i=, empty: not emitted
};

// algorithm_for - the a= a key signs with: rsa-sha256 or ed25519-sha256 (never rsa-sha1).
Algorithm algorithm_for(const crypto::PrivateKey& key);
// algorithm_name - the same as text, for a= and log lines.
std::string_view algorithm_name(const crypto::PrivateKey& key);

enum class SignError {
  no_from,         // RFC 6376 5.4: From must be signed; the message has none
  multiple_from,   // never sign over an ambiguous From
  crypto_failure,  // OpenSSL refused (key unusable at runtime)
};
std::string_view to_string(SignError e);

// MessageSigner - one per message: feed body chunks, then finish() with the header fields.
class MessageSigner {
 public:
  MessageSigner(std::vector<SignerKey> keys, SignOptions options, const Clock& clock);
  ~MessageSigner();
  MessageSigner(MessageSigner&&) noexcept;
  MessageSigner& operator=(MessageSigner&&) noexcept;

  // body - body octets with CRLF line ends, dot-unstuffed, split anywhere.
  void body(std::string_view chunk);
  // finish - the DKIM-Signature fields to prepend, one per key in key order, each folded at
  // 78 columns and ending in CRLF.
  std::expected<std::string, SignError> finish(const std::vector<mail::HeaderField>& headers);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace postseal::dkim
