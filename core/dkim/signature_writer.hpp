// signature_writer.hpp - render, fold and sign one DKIM-Signature header field.
//
// RFC 6376 3.5 (the field, rendered from the same dkim::Signature the parser fills in), 3.7
// (what is hashed, built by header_hash.hpp for signer and verifier alike), RFC 8463 3
// (ed25519-sha256 signs the SHA-256 of that data), RFC 8301 (rsa-sha256 only). Layout: tags
// in the order v a c d i q s t x h l z bh b, the optional ones only when set; lines of at most
// mail::kFoldColumns octets (core/mail/header_folder.hpp), h= folded between names, b= last
// on lines of its own so deleting its value (3.7) leaves exactly the text that was signed.
// Untrusted input: the message's header fields (hashed, never copied into the output).
#pragma once

#include "core/crypto/private_key.hpp"
#include "core/dkim/message_signer.hpp"
#include "core/dkim/signature.hpp"
#include "core/mail/header.hpp"

#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::dkim {

// render_signature - "DKIM-Signature: v=1; ...; b=VALUE" folded, ending in CRLF; b= carries
// the base64 of sig.b (empty sig.b: the form hashed by 3.7).
std::string render_signature(const Signature& sig);

// signing_input - what the signer hashes for `sig` over `headers` (header_hash.hpp applied
// to the field rendered with an empty b=).
std::string signing_input(const Signature& sig, const std::vector<mail::HeaderField>& headers);

// sign_signature - sign `sig` (every tag but b= filled in, h= naming the fields) with `key`,
// set sig.b and return the complete folded field with CRLF.
std::expected<std::string, SignError> sign_signature(const crypto::PrivateKey& key,
                                                     Signature& sig,
                                                     const std::vector<mail::HeaderField>& headers);
// sign_signature - the same with a shared key, whose OpenSSL contexts are set up once and kept
// for the next message (core/crypto/key_contexts.hpp).
std::expected<std::string, SignError> sign_signature(
    const std::shared_ptr<const crypto::PrivateKey>& key, Signature& sig,
    const std::vector<mail::HeaderField>& headers);

// split_header_list - a colon-separated list of field names, FWS trimmed, empty names
// dropped ("from : to" -> from, to).
std::vector<std::string> split_header_list(std::string_view h);

}  // namespace postseal::dkim
