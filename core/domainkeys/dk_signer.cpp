// dk_signer.cpp - DomainKeys signing (see dk_signer.hpp).
#include "core/domainkeys/dk_signer.hpp"

#include "core/crypto/base64.hpp"
#include "core/domainkeys/dk_sender.hpp"
#include "core/domainkeys/dk_signature.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <functional>

namespace postseal::domainkeys {

namespace {

// listable - can this field name go into h= (no ';', no FWS, printable ASCII)?
bool listable(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 32 || u >= 127 || c == ';' || c == ':') return false;
  }
  return true;
}

}  // namespace

DkSigner::DkSigner(std::string domain, std::string selector,
                   std::shared_ptr<const crypto::PrivateKey> key, DkSignOptions options)
    : domain_(to_lower(domain)),
      selector_(std::move(selector)),
      key_(std::move(key)),
      options_(options),
      body_(options.canon) {
  if (!domain_.empty() && domain_.back() == '.') domain_.pop_back();
}

std::size_t DkSigner::fingerprint(const std::vector<mail::HeaderField>& fields) {
  std::size_t h = fields.size();
  for (const auto& f : fields) h = h * 1000003u ^ std::hash<std::string>{}(f.raw);
  return h;
}

std::vector<const mail::HeaderField*> DkSigner::select(
    const std::vector<mail::HeaderField>& fields) const {
  std::vector<const mail::HeaderField*> out;
  for (const auto& f : fields) {
    if (!options_.list_headers || listable(f.name())) out.push_back(&f);
  }
  return out;
}

void DkSigner::hash_headers(const std::vector<const mail::HeaderField*>& fields) {
  for (const auto* f : fields) sha_.update(canonicalize_header(options_.canon, f->raw));
}

void DkSigner::headers(const std::vector<mail::HeaderField>& fields) {
  if (body_started_ || streaming_) return;  // too late or twice: finish() buffers instead
  hash_headers(select(fields));
  headers_fingerprint_ = fingerprint(fields);
  streaming_ = true;
}

void DkSigner::body(std::string_view chunk) {
  body_started_ = true;
  if (overflow_) return;
  body_.update(chunk, pending_);
  if (streaming_) {
    sha_.update(pending_);
    pending_.clear();
  } else if (pending_.size() > kMaxBufferedBodyOctets) {
    overflow_ = true;
    pending_.clear();
  }
}

std::expected<void, std::string> DkSigner::check_sender(
    const std::vector<const mail::HeaderField*>& fields) const {
  auto sender = sending_address(fields);
  if (!sender) return std::unexpected(sender.error());
  if (!domain_covers(domain_, sender->mailbox.domain)) {
    return std::unexpected(fmt::format("d={} does not cover the {} domain {}", domain_,
                                       sender->field, printable(sender->mailbox.domain, 80)));
  }
  return {};
}

std::expected<std::string, std::string> DkSigner::finish(
    const std::vector<mail::HeaderField>& fields) {
  if (!key_ || key_->type() != crypto::KeyType::rsa) {
    return std::unexpected("DomainKeys needs an RSA key");
  }
  if (!valid_hostname(domain_, false) || !valid_hostname(selector_, true)) {
    return std::unexpected(fmt::format("invalid domain or selector \"{}\"/\"{}\"",
                                       printable(domain_, 80), printable(selector_, 80)));
  }
  if (overflow_) return std::unexpected("body too large to buffer: call headers() first");
  if (streaming_ && fingerprint(fields) != headers_fingerprint_) {
    return std::unexpected("header fields changed between headers() and finish()");
  }
  auto selected = select(fields);
  if (auto ok = check_sender(selected); !ok) return std::unexpected(ok.error());
  if (!streaming_) hash_headers(selected);
  body_.finish(pending_);
  sha_.update(pending_);
  pending_.clear();
  auto sig = rsa_sha1_sign(key_->pkey(), sha_.finish());
  if (!sig) return std::unexpected(sig.error());
  SignatureTags tags{options_.canon, domain_, selector_, {}, crypto::base64_encode(*sig)};
  if (options_.list_headers) {
    for (const auto* f : selected) tags.h.emplace_back(f->name());
  }
  return render_signature_field(tags);
}

}  // namespace postseal::domainkeys
