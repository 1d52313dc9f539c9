// signature.cpp - DKIM-Signature parsing, RFC 6376 3.5 (see signature.hpp).
#include "core/dkim/signature.hpp"

#include "core/crypto/base64.hpp"
#include "core/mail/tag_list.hpp"
#include "core/util/text.hpp"

#include <array>
#include <limits>

namespace postseal::dkim {

using mail::strip_fws;
using mail::TagList;
using mail::trim_fws;

namespace {

std::expected<Signature, std::string> fail(std::string reason) {
  return std::unexpected(std::move(reason));
}

// parse_decimal - digits only, at most max_digits, no overflow of T.
template <typename T>
std::optional<T> parse_decimal(std::string_view text, std::size_t max_digits) {
  text = trim_fws(text);
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  T value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    T digit = static_cast<T>(c - '0');
    if (value > (std::numeric_limits<T>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::optional<Algorithm> parse_algorithm(std::string_view text) {
  text = trim_fws(text);
  if (text == "rsa-sha256") return Algorithm::rsa_sha256;
  if (text == "ed25519-sha256") return Algorithm::ed25519_sha256;
  if (text == "rsa-sha1") return Algorithm::rsa_sha1;
  return std::nullopt;
}

// parse_canon - c= "header[/body]"; a missing body part means simple (3.5).
bool parse_canon(std::string_view text, Signature& sig) {
  text = trim_fws(text);
  auto slash = text.find('/');
  auto header = parse_canon_name(text.substr(0, slash));
  auto body = slash == std::string_view::npos ? std::optional<Canon>(Canon::simple)
                                              : parse_canon_name(text.substr(slash + 1));
  if (!header || !body) return false;
  sig.header_canon = *header;
  sig.body_canon = *body;
  return true;
}

bool is_field_name(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (c <= ' ' || c >= 0x7f || c == ':') return false;
  }
  return true;
}

// parse_header_list - h= "from : to : subject"; From must be there (RFC 6376 5.4).
std::expected<std::vector<std::string>, std::string> parse_header_list(std::string_view text) {
  std::vector<std::string> names;
  bool has_from = false;
  for (auto name : mail::split_colon_list(text)) {
    if (!is_field_name(name)) return std::unexpected("bad field name in h=");
    if (names.size() == kMaxSignedHeaders) return std::unexpected("too many fields in h=");
    has_from = has_from || iequals(name, "from");
    names.emplace_back(name);
  }
  if (!has_from) return std::unexpected("From not signed");
  return names;
}

// spaced_list - FWS stands before a ':' of the list ("from : to"), as some signers write it.
bool spaced_list(std::string_view text) {
  for (std::size_t n = 1; n < text.size(); ++n) {
    if (text[n] == ':' && mail::is_fws(text[n - 1])) return true;
  }
  return false;
}

// identity_within - i= "[local]@domain" with domain equal to d= or a subdomain of it.
bool identity_within(std::string_view i, std::string_view d) {
  auto at = i.rfind('@');
  if (at == std::string_view::npos) return false;
  auto domain = i.substr(at + 1);
  if (iequals(domain, d)) return true;
  return domain.size() > d.size() + 1 && domain[domain.size() - d.size() - 1] == '.' &&
         iequals(domain.substr(domain.size() - d.size()), d) &&
         is_hostname(domain);
}

// has_dns_txt - q= is a colon-separated list of methods; dns/txt must be one.
bool has_dns_txt(std::string_view q) {
  for (auto method : mail::split_colon_list(q)) {
    if (method == "dns/txt") return true;
  }
  return false;
}

std::optional<std::string> check_required(const TagList& tags) {
  static constexpr std::array<std::string_view, 7> kRequired = {"v", "a", "b", "bh",
                                                                "d", "h", "s"};
  for (auto name : kRequired) {
    if (!tags.get(name)) return "missing required tag " + std::string(name) + "=";
  }
  return std::nullopt;
}

std::optional<std::string> parse_crypto_tags(const TagList& tags, Signature& sig) {
  if (trim_fws(*tags.get("v")) != "1") return "unsupported version v=";
  auto a = parse_algorithm(*tags.get("a"));
  if (!a) return "unknown algorithm a=" + printable(trim_fws(*tags.get("a")), 40);
  sig.a = *a;
  auto b = crypto::base64_decode(*tags.get("b"), mail::kMaxTagListBytes);
  if (!b || b->empty()) return "bad base64 in b=";
  sig.b = std::move(*b);
  sig.b_text = strip_fws(*tags.get("b"));
  auto bh = crypto::base64_decode(*tags.get("bh"), mail::kMaxTagListBytes);
  if (!bh || bh->empty()) return "bad base64 in bh=";
  sig.bh = std::move(*bh);
  if (auto c = tags.get("c"); c && !parse_canon(*c, sig)) return "unknown canonicalization c=";
  return std::nullopt;
}

std::optional<std::string> parse_identity_tags(const TagList& tags, Signature& sig) {
  sig.d = trim_fws(*tags.get("d"));
  if (!is_hostname(sig.d)) return "invalid d= domain";
  sig.s = trim_fws(*tags.get("s"));
  if (!is_hostname(sig.s)) return "invalid s= selector";
  if (auto i = tags.get("i")) {
    sig.i = trim_fws(*i);
    sig.i_written = true;
    if (!identity_within(sig.i, sig.d)) return "i= not within d=";
  } else {
    sig.i = "@" + sig.d;
  }
  auto h = parse_header_list(*tags.get("h"));
  if (!h) return h.error();
  sig.h = std::move(*h);
  sig.h_spaced = spaced_list(*tags.get("h"));
  if (auto q = tags.get("q")) {
    sig.q = trim_fws(*q);
    sig.q_written = true;
    if (!has_dns_txt(sig.q)) return "unsupported query method q=";
  }
  return std::nullopt;
}

std::optional<std::string> parse_number_tags(const TagList& tags, Signature& sig) {
  if (auto l = tags.get("l")) {
    sig.l = parse_decimal<std::uint64_t>(*l, kMaxBodyLengthDigits);
    if (!sig.l) return "bad l= body length";
  }
  if (auto t = tags.get("t")) {
    sig.t = parse_decimal<std::int64_t>(*t, kMaxTimestampDigits);
    if (!sig.t) return "bad t= timestamp";
  }
  if (auto x = tags.get("x")) {
    sig.x = parse_decimal<std::int64_t>(*x, kMaxTimestampDigits);
    if (!sig.x) return "bad x= expiry";
  }
  if (sig.t && sig.x && *sig.x < *sig.t) return "x= before t=";
  if (auto z = tags.get("z")) sig.z = *z;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Algorithm a) {
  switch (a) {
    case Algorithm::rsa_sha256: return "rsa-sha256";
    case Algorithm::rsa_sha1: return "rsa-sha1";
    case Algorithm::ed25519_sha256: return "ed25519-sha256";
  }
  return "unknown";
}

bool is_hostname(std::string_view name) { return postseal::is_hostname(name, LabelChars::ldh); }

std::expected<Signature, std::string> parse_signature(std::string_view value) {
  auto tags = mail::parse_tag_list(value);
  if (!tags) {
    if (tags.error() == mail::TagListError::duplicate_tag) return fail("duplicate tag");
    return fail("malformed tag list (" + std::string(mail::to_string(tags.error())) + ")");
  }
  if (auto missing = check_required(*tags)) return fail(*missing);
  Signature sig;
  if (auto e = parse_crypto_tags(*tags, sig)) return fail(*e);
  if (auto e = parse_identity_tags(*tags, sig)) return fail(*e);
  if (auto e = parse_number_tags(*tags, sig)) return fail(*e);
  return sig;
}

}  // namespace postseal::dkim
