// dk_verifier.cpp - DomainKeys verification (see dk_verifier.hpp).
#include "core/domainkeys/dk_verifier.hpp"

#include "core/crypto/base64.hpp"
#include "core/crypto/public_key.hpp"
#include "core/dkim/key_record.hpp"
#include "core/domainkeys/dk_canon.hpp"
#include "core/domainkeys/dk_crypto.hpp"
#include "core/domainkeys/dk_key_record.hpp"
#include "core/domainkeys/dk_sender.hpp"
#include "core/domainkeys/dk_signature.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <span>

namespace postseal::domainkeys {

using dkim::Result;

namespace {

// Candidate - one DomainKey-Signature being checked.
struct Candidate {
  DkResult result;
  bool decided = false;
  DkSignature sig;
  std::optional<mail::Mailbox> sender;
  std::unique_ptr<Sha1Stream> sha;
  std::unique_ptr<BodyCanonicalizer> body;
};

void decide(Candidate& c, Result r, std::string reason) {
  c.result.result = r;
  c.result.reason = std::move(reason);
  c.decided = true;
}

// prepare - parse one signature, apply the sender rule and hash the fields it covers.
Candidate prepare(const mail::HeaderField& field, std::span<const mail::HeaderField> below) {
  Candidate c;
  auto sig = parse_signature(field.value());
  if (!sig) {
    decide(c, Result::permerror, sig.error());
    return c;
  }
  c.sig = std::move(*sig);
  c.result.d = c.sig.d;
  c.result.s = c.sig.s;
  c.result.b = c.sig.b;
  auto covered = signed_fields(c.sig, below);
  auto sender = sending_address(covered);
  if (!sender) {
    decide(c, Result::permerror, "signed header: " + sender.error());
    return c;
  }
  c.result.identity = sender->mailbox.address();
  c.result.identity_field = sender->field;
  if (!domain_covers(c.sig.d, sender->mailbox.domain)) {
    decide(c, Result::permerror, fmt::format("d={} does not cover the {} domain", c.sig.d,
                                             sender->field));
    return c;
  }
  c.sender = sender->mailbox;
  c.sha = std::make_unique<Sha1Stream>();
  c.body = std::make_unique<BodyCanonicalizer>(c.sig.c);
  for (const auto* f : covered) c.sha->update(canonicalize_header(c.sig.c, f->raw));
  return c;
}

// check_key - the key record fits the signature; the public key to verify with, or why not.
std::expected<crypto::PublicKey, std::pair<Result, std::string>> check_key(
    const KeyRecord& rec, const mail::Mailbox& sender) {
  using Err = std::pair<Result, std::string>;
  if (rec.revoked()) return std::unexpected(Err{Result::permerror, "key revoked (empty p=)"});
  if (!rec.allows_sha1) return std::unexpected(Err{Result::permerror, "key h= excludes sha1"});
  if (!granularity_matches(rec.g, sender.local_part)) {
    return std::unexpected(Err{Result::permerror, "key g= does not match the sender"});
  }
  auto der = crypto::base64_decode(rec.p, kMaxBase64Octets);
  if (!der) return std::unexpected(Err{Result::permerror, "key p= is not base64"});
  auto key = crypto::parse_rsa_public_key(*der);
  if (!key && key.error() == crypto::PublicKeyError::unsupported_exponent) {
    return std::unexpected(Err{Result::permerror, std::string(crypto::to_string(key.error()))});
  }
  if (!key) return std::unexpected(Err{Result::permerror, "p= is not a DER RSA public key"});
  int bits = key_bits(key->get());
  if (bits < kMinRsaBits) {
    return std::unexpected(Err{Result::fail, fmt::format("key too short ({} bits)", bits)});
  }
  if (bits > kMaxRsaBits) {
    return std::unexpected(Err{Result::permerror, fmt::format("key too long ({} bits)", bits)});
  }
  return std::move(*key);
}

// verify_with - the decision once the key record text is known.
void verify_with(Candidate& c, std::string_view record_text, std::string_view digest) {
  auto rec = parse_key_record(record_text);
  if (!rec) return decide(c, Result::permerror, rec.error());
  c.result.testing = rec->testing;
  auto key = check_key(*rec, *c.sender);
  if (!key) return decide(c, key.error().first, key.error().second);
  auto sig = crypto::base64_decode(c.sig.b, kMaxBase64Octets);
  if (!sig) return decide(c, Result::permerror, "b= is not base64");
  if (rsa_sha1_verify(key->get(), digest, *sig)) {
    return decide(c, Result::pass, rec->testing ? "key in testing mode (t=y)" : "");
  }
  if (rec->testing) return decide(c, Result::neutral, "signature did not verify; key in testing mode");
  decide(c, Result::fail, "signature did not verify");
}

asio::awaitable<void> check(Candidate& c, dns::Resolver& resolver) {
  std::string tail;
  c.body->finish(tail);
  c.sha->update(tail);
  std::string digest = c.sha->finish();
  auto answer = co_await resolver.lookup(dkim::key_name(c.sig.s, c.sig.d), dns::RrType::txt);
  if (answer.temporary()) co_return decide(c, Result::temperror, dkim::key_lookup_failure(answer));
  if (answer.empty()) co_return decide(c, Result::permerror, dkim::key_lookup_failure(answer));
  if (answer.records.size() > 1) co_return decide(c, Result::permerror, "more than one key record");
  verify_with(c, answer.records.front().text(), digest);
}

}  // namespace

struct DkVerifier::State {
  const Clock& clock;
  std::vector<Candidate> candidates;
  std::string scratch;
};

DkVerifier::DkVerifier(const Clock& clock) : state_(std::make_unique<State>(State{clock, {}, {}})) {}
DkVerifier::~DkVerifier() = default;
DkVerifier::DkVerifier(DkVerifier&&) noexcept = default;
DkVerifier& DkVerifier::operator=(DkVerifier&&) noexcept = default;

void DkVerifier::headers(const std::vector<mail::HeaderField>& fields) {
  std::span<const mail::HeaderField> all(fields);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (state_->candidates.size() >= kMaxSignaturesConsidered) break;
    if (!fields[i].is(kSignatureFieldName)) continue;
    state_->candidates.push_back(prepare(fields[i], all.subspan(i + 1)));
  }
}

void DkVerifier::body(std::string_view chunk) {
  for (auto& c : state_->candidates) {
    if (c.decided) continue;
    state_->scratch.clear();
    c.body->update(chunk, state_->scratch);
    c.sha->update(state_->scratch);
  }
}

asio::awaitable<std::optional<DkResult>> DkVerifier::finish(dns::Resolver& resolver) {
  if (state_->candidates.empty()) co_return std::nullopt;
  for (auto& c : state_->candidates) {
    if (!c.decided) co_await check(c, resolver);
    if (c.result.result == Result::pass) co_return c.result;
  }
  co_return state_->candidates.front().result;
}

namespace {

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

// is_token_address - can `a` stand unquoted as an RFC 8601 property value (dot-atom@domain)?
bool is_token_address(std::string_view a) {
  if (a.empty() || a.size() > 254) return false;
  for (char c : a) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view(".@-_+=!#$%&'*/?^`{|}~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string format_result(const DkResult& r) {
  std::string out = fmt::format("domainkeys={}", dkim::to_string(r.result));
  if (!r.d.empty()) out += " header.d=" + r.d;
  if (is_token_address(r.identity) && !r.identity_field.empty()) {
    out += fmt::format(" header.{}={}", r.identity_field, r.identity);
  }
  std::string_view b = std::string_view(r.b).substr(0, kHeaderBOctets);
  if (!b.empty() && b.find_first_not_of(kBase64Alphabet) == std::string_view::npos) {
    out += fmt::format(" header.b=\"{}\"", b);
  }
  if (!r.reason.empty()) out += fmt::format(" ({})", dkim::comment_text(r.reason));
  return out;
}

}  // namespace postseal::domainkeys
