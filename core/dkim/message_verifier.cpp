// message_verifier.cpp - DKIM verification of one message, RFC 6376 6 (see message_verifier.hpp).
#include "core/dkim/message_verifier.hpp"

#include "core/dkim/canonicalize.hpp"
#include "core/dkim/header_hash.hpp"
#include "core/dkim/signature.hpp"
#include "core/metrics/stage.hpp"
#include "core/util/config.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <cassert>
#include <optional>

namespace postseal::dkim {

namespace {

// BodyHash - one canonicalized body digest shared by every signature with the same (c=, l=).
struct BodyHash {
  Canon canon;
  std::optional<std::uint64_t> limit;
  BodyHasher hasher;
  std::string digest;
  std::uint64_t length = 0;
};

// Candidate - one DKIM-Signature field and what is known about it so far.
struct Candidate {
  SignatureResult result;
  bool decided = false;  // result is final (parse error, not checked, ...)
  Signature sig;
  std::size_t field = 0;       // index in the header fields
  std::size_t body_hash = 0;   // index of its BodyHash
  std::size_t full_body = 0;   // index of the unlimited BodyHash of the same canon
};

void decide(Candidate& c, Result result, std::string reason) {
  c.result.result = result;
  c.result.reason = std::move(reason);
  c.decided = true;
}

void describe(Candidate& c) {
  c.result.d = c.sig.d;
  c.result.s = c.sig.s;
  c.result.a = std::string(to_string(c.sig.a));
  c.result.b = c.sig.b_text;
  c.result.i = c.sig.i;
}

// failed_at - a fail result at one of RFC 6376 6.1.3's checks (Failure says which).
SignatureResult failed_at(Failure failure, std::string reason) {
  SignatureResult r{Result::fail, std::move(reason)};
  r.failure = failure;
  return r;
}

// verify_crypto - check b= over the header data with the key's contexts (RSA PKCS#1 v1.5 over
// SHA-256, or PureEdDSA over the SHA-256 digest, RFC 8463 3).
bool verify_crypto(const Signature& sig, const crypto::KeyContexts& key, const std::string& data) {
  std::string digest = crypto::sha256_digest(data);
  if (sig.a == Algorithm::ed25519_sha256) return key.verify_ed25519(digest, sig.b);
  return key.verify_rsa_sha256(digest, sig.b);
}

// check_key - the key record fits the signature (RFC 6376 6.1.2 steps 6-9, RFC 8301).
std::optional<SignatureResult> check_key(const Signature& sig, const KeyRecord& key,
                                         int min_rsa_bits) {
  bool want_ed25519 = sig.a == Algorithm::ed25519_sha256;
  if (want_ed25519 != (key.k == KeyKind::ed25519)) {
    return SignatureResult{Result::permerror, "key type does not match a="};
  }
  if (!key.allows_sha256()) return SignatureResult{Result::permerror, "key h= excludes sha256"};
  if (key.strict()) {
    auto at = sig.i.rfind('@');
    if (at == std::string::npos || !iequals(std::string_view(sig.i).substr(at + 1), sig.d)) {
      return SignatureResult{Result::permerror, "i= subdomain not allowed by key (t=s)"};
    }
  }
  if (key.k == KeyKind::rsa && key.bits < min_rsa_bits) {
    return SignatureResult{Result::fail, fmt::format("key too short ({} bits)", key.bits)};
  }
  return std::nullopt;
}

}  // namespace

struct MessageVerifier::State {
  VerifyOptions options;
  const Clock& clock;
  std::vector<mail::HeaderField> fields;
  std::vector<Candidate> candidates;
  std::vector<BodyHash> hashes;
  bool finished_body = false;

  std::size_t hash_for(Canon canon, std::optional<std::uint64_t> limit);
  void add_candidate(std::size_t index, std::size_t count);
  void finish_body();
  std::optional<SignatureResult> check_time(const Signature& sig) const;
  SignatureResult check_body_and_header(const Candidate& c, const KeyRecord& key) const;
  asio::awaitable<SignatureResult> verify(Candidate& c, dns::Resolver& resolver);
  asio::awaitable<std::expected<std::shared_ptr<const ParsedKey>, SignatureResult>> fetch_key(
      const Signature& sig, dns::Resolver& resolver);
};

std::size_t MessageVerifier::State::hash_for(Canon canon, std::optional<std::uint64_t> limit) {
  for (std::size_t n = 0; n < hashes.size(); ++n) {
    if (hashes[n].canon == canon && hashes[n].limit == limit) return n;
  }
  hashes.push_back(BodyHash{canon, limit, BodyHasher(canon, EVP_sha256(), limit), {}, 0});
  return hashes.size() - 1;
}

void MessageVerifier::State::add_candidate(std::size_t index, std::size_t count) {
  Candidate c;
  c.field = index;
  auto parsed = parse_signature(fields[index].value());
  if (parsed) {
    c.sig = std::move(*parsed);
    describe(c);
  }
  if (count >= options.max_signatures) {
    decide(c, Result::policy,
           fmt::format("not checked: more than {} signatures", options.max_signatures));
  } else if (!parsed) {
    decide(c, Result::permerror, parsed.error());
  } else if (c.sig.a == Algorithm::rsa_sha1) {
    decide(c, Result::fail, "rsa-sha1 not accepted");
  } else {
    c.body_hash = hash_for(c.sig.body_canon, c.sig.l);
    c.full_body = hash_for(c.sig.body_canon, std::nullopt);
  }
  candidates.push_back(std::move(c));
}

void MessageVerifier::State::finish_body() {
  if (finished_body) return;
  finished_body = true;
  for (auto& h : hashes) {
    h.digest = h.hasher.finish();
    h.length = h.hasher.canonical_length();
  }
}

std::optional<SignatureResult> MessageVerifier::State::check_time(const Signature& sig) const {
  std::int64_t now = clock.now();
  if (sig.t && *sig.t > now + options.clock_skew) {
    return SignatureResult{Result::permerror, "signature timestamp in the future"};
  }
  if (sig.x && *sig.x + options.clock_skew < now) {
    return SignatureResult{Result::fail, "signature expired"};
  }
  return std::nullopt;
}

SignatureResult MessageVerifier::State::check_body_and_header(const Candidate& c,
                                                              const KeyRecord& key) const {
  const BodyHash& full = hashes[c.full_body];
  if (c.sig.l && *c.sig.l > full.length) {
    return failed_at(Failure::body_hash, "body shorter than l=");
  }
  if (hashes[c.body_hash].digest != c.sig.bh) {
    return failed_at(Failure::body_hash, "body hash mismatch");
  }
  std::string data = header_hash_input(c.sig, fields, fields[c.field].raw);
  if (!key.contexts || !verify_crypto(c.sig, *key.contexts, data)) {
    return failed_at(Failure::signature, "signature did not verify");
  }
  if (c.sig.l && *c.sig.l < full.length) {
    return {Result::policy,
            fmt::format("l= covers only {} of {} body octets", *c.sig.l, full.length)};
  }
  return {Result::pass, {}};
}

asio::awaitable<std::expected<std::shared_ptr<const ParsedKey>, SignatureResult>>
MessageVerifier::State::fetch_key(const Signature& sig, dns::Resolver& resolver) {
  using Out = std::expected<std::shared_ptr<const ParsedKey>, SignatureResult>;
  auto answer = co_await resolver.lookup(key_name(sig.s, sig.d), dns::RrType::txt);
  if (answer.temporary()) co_return Out(std::unexpect, Result::temperror, key_lookup_failure(answer));
  if (answer.empty()) co_return Out(std::unexpect, Result::permerror, key_lookup_failure(answer));
  KeyCache& cache = options.key_cache != nullptr ? *options.key_cache : KeyCache::shared();
  std::shared_ptr<const ParsedKey> first;
  std::size_t tried = 0;
  for (const auto& record : answer.records) {
    if (tried++ == kMaxKeyRecordsTried) break;
    auto parsed = cache.get(record.text());
    if (parsed->has_value()) co_return parsed;
    if (!first) first = parsed;
  }
  co_return first;
}

asio::awaitable<SignatureResult> MessageVerifier::State::verify(Candidate& c,
                                                                dns::Resolver& resolver) {
  if (auto bad = check_time(c.sig)) co_return *bad;
  auto fetched = co_await fetch_key(c.sig, resolver);
  if (!fetched) co_return fetched.error();
  const ParsedKey& parsed = **fetched;
  if (!parsed) {
    SignatureResult r{parsed.error().result, parsed.error().reason};
    r.failure = parsed.error().failure;
    co_return r;
  }
  if (auto bad = check_key(c.sig, *parsed, options.min_rsa_bits)) co_return *bad;
  co_return check_body_and_header(c, *parsed);
}

MessageVerifier::MessageVerifier(VerifyOptions options, const Clock& clock)
    : state_(std::make_unique<State>(State{options, clock, {}, {}, {}, false})) {}
MessageVerifier::~MessageVerifier() = default;
MessageVerifier::MessageVerifier(MessageVerifier&&) noexcept = default;
MessageVerifier& MessageVerifier::operator=(MessageVerifier&&) noexcept = default;

void MessageVerifier::headers(const std::vector<mail::HeaderField>& fields) {
  assert(state_->fields.empty() && state_->candidates.empty());
  state_->fields = fields;
  std::size_t count = 0;
  for (std::size_t n = 0; n < fields.size(); ++n) {
    if (fields[n].is("DKIM-Signature")) state_->add_candidate(n, count++);
  }
  std::size_t from = mail::count_fields(fields, "From");
  if (from == 1) return;
  for (auto& c : state_->candidates) {
    if (!c.decided || c.result.result != Result::policy) {
      decide(c, Result::permerror, from == 0 ? "no From header" : "multiple From headers");
    }
  }
}

void MessageVerifier::body(std::string_view chunk) {
  for (auto& h : state_->hashes) h.hasher.update(chunk);
}

asio::awaitable<std::vector<SignatureResult>> MessageVerifier::finish(dns::Resolver& resolver) {
  metrics::StageTimer timer(metrics::Stage::dkim_verify);
  state_->finish_body();
  std::vector<SignatureResult> results;
  for (auto& c : state_->candidates) {
    if (!c.decided) {
      SignatureResult r = co_await state_->verify(c, resolver);
      c.result.result = r.result;
      c.result.reason = std::move(r.reason);
      c.result.failure = r.failure;
      c.decided = true;
    }
    results.push_back(c.result);
  }
  co_return results;
}

namespace {

constexpr config::Key kVerifyKeys[] = {
    {"dkim.max_signatures", config::Type::integer, "5", 1,
     static_cast<std::int64_t>(kMaxSignaturesBound),
     "DKIM signatures verified per message; the rest are reported as policy (not checked)"},
    {"dkim.clock_skew", config::Type::integer, "300", 0, kMaxClockSkew,
     "seconds of tolerance when checking t= (future) and x= (expired)"},
    {"dkim.min_rsa_bits", config::Type::integer, "1024", 1024, 8192,
     "RSA keys shorter than this fail verification (RFC 8301)"},
};

}  // namespace

std::span<const config::Key> verify_config_keys() { return kVerifyKeys; }

VerifyOptions options_from_config(const config::File& file) {
  VerifyOptions options;
  options.max_signatures = static_cast<std::size_t>(file.integer("dkim.max_signatures"));
  options.clock_skew = file.integer("dkim.clock_skew");
  options.min_rsa_bits = static_cast<int>(file.integer("dkim.min_rsa_bits"));
  return options;
}

}  // namespace postseal::dkim
