// codec.cpp - SRS0/SRS1 forward and reverse, HMAC-SHA1 hashes, day stamps (see codec.hpp).
#include "srs/codec.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <array>
#include <cassert>
#include <cstring>

namespace postseal::srs {
namespace {

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::size_t kSha1Block = 64;
constexpr std::size_t kSha1Size = 20;
constexpr std::int64_t kSecondsPerDay = 86400;

SrsResult fail(SrsError e, std::string reason) {
  return std::unexpected(SrsFailure{e, std::move(reason)});
}

bool is_separator(char c) { return c == '=' || c == '+' || c == '-'; }

// is_tag - `local` starts with "SRS0"/"SRS1" (any case) followed by a separator.
bool is_tag(std::string_view local, std::string_view tag) {
  return local.size() > tag.size() && starts_with_icase(local, tag) &&
         is_separator(local[tag.size()]);
}

// split_fields - split `in` at the first n-1 '=' into n fields; false if there are fewer.
template <std::size_t N>
bool split_fields(std::string_view in, std::array<std::string_view, N>& out) {
  for (std::size_t i = 0; i + 1 < N; ++i) {
    auto eq = in.find('=');
    if (eq == std::string_view::npos) return false;
    out[i] = in.substr(0, eq);
    in.remove_prefix(eq + 1);
  }
  out[N - 1] = in;
  return true;
}

unsigned char lower_branchless(unsigned char c) {
  const unsigned upper = static_cast<unsigned>(static_cast<unsigned>(c) - 'A') < 26u;
  return static_cast<unsigned char>(c | (upper << 5));
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int day_slot(std::int64_t unix_time) {
  std::int64_t slot = floor_div(unix_time, kSecondsPerDay) % kStampDays;
  if (slot < 0) slot += kStampDays;
  return static_cast<int>(slot);
}

}  // namespace

std::string_view error_name(SrsError e) {
  switch (e) {
    case SrsError::not_srs: return "not SRS";
    case SrsError::bad_hash: return "bad hash";
    case SrsError::expired: return "expired";
    case SrsError::no_at: return "no @";
    case SrsError::too_long: return "too long";
    case SrsError::control: return "control character";
  }
  return "?";
}

std::expected<void, std::string> check_options(const SrsOptions& o) {
  if (!is_separator(o.separator)) return std::unexpected("separator must be one of = + -");
  if (o.hash_length < kMinHashLength || o.hash_length > kMaxHashLength)
    return std::unexpected(
        fmt::format("hash length must be {}-{}", kMinHashLength, kMaxHashLength));
  if (o.max_age < 1 || o.max_age > kMaxAgeLimit)
    return std::unexpected(fmt::format("max age must be 1-{} days", kMaxAgeLimit));
  return {};
}

std::string encode_stamp(std::int64_t unix_time) {
  const int slot = day_slot(unix_time);
  return {kBase32[static_cast<std::size_t>(slot >> 5)], kBase32[static_cast<std::size_t>(slot & 31)]};
}

int decode_stamp(std::string_view stamp) {
  if (stamp.size() != 2) return -1;
  int value = 0;
  for (char c : stamp) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a';
    else if (c >= '2' && c <= '7') v = c - '2' + 26;
    if (v < 0) return -1;
    value = value * 32 + v;
  }
  return value;
}

bool constant_time_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned>(lower_branchless(static_cast<unsigned char>(a[i])) ^
                                  lower_branchless(static_cast<unsigned char>(b[i])));
  return diff == 0;
}

// Keys - per secret, SHA-1 states that have absorbed the HMAC inner and outer pads (RFC 2104),
// so a hash costs two context copies and three compressions.
struct SrsCodec::Keys {
  struct Pair {
    EVP_MD_CTX* inner = nullptr;
    EVP_MD_CTX* outer = nullptr;
  };
  std::vector<Pair> pairs;

  ~Keys() {
    for (auto& p : pairs) {
      EVP_MD_CTX_free(p.inner);
      EVP_MD_CTX_free(p.outer);
    }
  }

  void add(std::string_view secret) {
    std::array<unsigned char, kSha1Block> key{};
    if (secret.size() > kSha1Block) {
      unsigned int n = 0;
      EVP_Digest(secret.data(), secret.size(), key.data(), &n, EVP_sha1(), nullptr);
    } else {
      std::memcpy(key.data(), secret.data(), secret.size());
    }
    std::array<unsigned char, kSha1Block> ipad{}, opad{};
    for (std::size_t i = 0; i < kSha1Block; ++i) {
      ipad[i] = static_cast<unsigned char>(key[i] ^ 0x36);
      opad[i] = static_cast<unsigned char>(key[i] ^ 0x5c);
    }
    Pair p{EVP_MD_CTX_new(), EVP_MD_CTX_new()};
    const bool ok = p.inner && p.outer && EVP_DigestInit_ex(p.inner, EVP_sha1(), nullptr) &&
                    EVP_DigestUpdate(p.inner, ipad.data(), ipad.size()) &&
                    EVP_DigestInit_ex(p.outer, EVP_sha1(), nullptr) &&
                    EVP_DigestUpdate(p.outer, opad.data(), opad.size());
    OPENSSL_cleanse(key.data(), key.size());
    OPENSSL_cleanse(ipad.data(), ipad.size());
    OPENSSL_cleanse(opad.data(), opad.size());
    assert(ok);
    (void)ok;
    pairs.push_back(p);
  }

  // mac - HMAC-SHA1 of `data` with secret `i`.
  std::array<unsigned char, kSha1Size> mac(std::size_t i, std::string_view data) const {
    std::array<unsigned char, kSha1Size> inner{}, out{};
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    unsigned int n = 0;
    bool ok = ctx && EVP_MD_CTX_copy_ex(ctx, pairs[i].inner) &&
              EVP_DigestUpdate(ctx, data.data(), data.size()) &&
              EVP_DigestFinal_ex(ctx, inner.data(), &n) &&
              EVP_MD_CTX_copy_ex(ctx, pairs[i].outer) &&
              EVP_DigestUpdate(ctx, inner.data(), inner.size()) &&
              EVP_DigestFinal_ex(ctx, out.data(), &n);
    EVP_MD_CTX_free(ctx);
    assert(ok);
    (void)ok;
    return out;
  }
};

SrsCodec::SrsCodec(SrsOptions options, const std::vector<std::string>& secrets,
                   const Clock& clock)
    : options_(options), keys_(std::make_unique<Keys>()), clock_(&clock) {
  assert(!secrets.empty());
  for (const auto& s : secrets) keys_->add(s);
}

SrsCodec::~SrsCodec() = default;
SrsCodec::SrsCodec(SrsCodec&&) noexcept = default;
SrsCodec& SrsCodec::operator=(SrsCodec&&) noexcept = default;

std::string SrsCodec::stamp() const { return encode_stamp(clock_->now()); }

// hash - the full base64 HMAC (27 characters) of the lower-cased fields a+b+c.
std::string SrsCodec::hash(std::size_t secret, std::string_view a, std::string_view b,
                           std::string_view c) const {
  std::string data;
  data.reserve(a.size() + b.size() + c.size());
  for (auto part : {a, b, c})
    for (char ch : part) data.push_back(static_cast<char>(lower_branchless(static_cast<unsigned char>(ch))));
  const auto mac = keys_->mac(secret, data);
  std::array<unsigned char, 32> b64{};
  EVP_EncodeBlock(b64.data(), mac.data(), static_cast<int>(mac.size()));
  return std::string(reinterpret_cast<const char*>(b64.data()), kMaxHashLength);
}

// hash_matches - every character given equals the MAC's prefix under some secret. All
// secrets are tried whatever the outcome, and each compare takes the same time.
bool SrsCodec::hash_matches(std::string_view given, std::string_view a, std::string_view b,
                            std::string_view c) const {
  if (given.size() < static_cast<std::size_t>(options_.hash_length) ||
      given.size() > static_cast<std::size_t>(kMaxHashLength))
    return false;
  bool any = false;
  for (std::size_t i = 0; i < keys_->pairs.size(); ++i) {
    const std::string h = hash(i, a, b, c);
    any |= constant_time_iequals(given, std::string_view(h).substr(0, given.size()));
  }
  return any;
}

SrsResult SrsCodec::forward(std::string_view sender, std::string_view alias) const {
  if (sender.size() > kMaxAddressOctets)
    return fail(SrsError::too_long, fmt::format("sender longer than {} octets", kMaxAddressOctets));
  if (has_control(sender)) return fail(SrsError::control, "control character in sender address");
  const auto at = sender.rfind('@');
  if (at == std::string_view::npos) return fail(SrsError::no_at, "no @ in sender address");
  const std::string_view local = sender.substr(0, at), host = sender.substr(at + 1);
  if (local.empty() || host.empty())
    return fail(SrsError::no_at, "empty local part or domain in sender address");
  if (auto a = alias.rfind('@'); a != std::string_view::npos) alias = alias.substr(a + 1);
  if (iequals(host, alias)) return std::string(sender);

  const std::string sep(1, options_.separator);
  std::string out;
  std::array<std::string_view, 3> srs1{};
  if (is_tag(local, "SRS0")) {
    const std::string_view rest = local.substr(4);  // keeps the original separator
    out = fmt::format("SRS1{}{}={}={}@{}", sep, hash(0, host, rest, {}).substr(0, options_.hash_length),
                      host, rest, alias);
  } else if (is_tag(local, "SRS1") && split_fields(local.substr(5), srs1) && !srs1[1].empty() &&
             !srs1[2].empty() && is_separator(srs1[2][0])) {
    out = fmt::format("SRS1{}{}={}={}@{}", sep,
                      hash(0, srs1[1], srs1[2], {}).substr(0, options_.hash_length), srs1[1],
                      srs1[2], alias);
  } else {
    const std::string tt = stamp();
    out = fmt::format("SRS0{}{}={}={}={}@{}", sep,
                      hash(0, tt, host, local).substr(0, options_.hash_length), tt, host, local,
                      alias);
  }
  if (out.size() > kMaxAddressOctets)
    return fail(SrsError::too_long,
                fmt::format("rewritten address would be longer than {} octets", kMaxAddressOctets));
  return out;
}

SrsResult SrsCodec::reverse(std::string_view address) const {
  if (address.size() > kMaxAddressOctets)
    return fail(SrsError::too_long, fmt::format("address longer than {} octets", kMaxAddressOctets));
  if (has_control(address)) return fail(SrsError::control, "control character in address");
  const auto at = address.rfind('@');
  if (at == std::string_view::npos) return fail(SrsError::no_at, "no @ in address");
  const std::string_view local = address.substr(0, at);
  if (is_tag(local, "SRS0")) return reverse_srs0(local.substr(5));
  if (is_tag(local, "SRS1")) return reverse_srs1(local.substr(5));
  return fail(SrsError::not_srs, "not an SRS address");
}

SrsResult SrsCodec::reverse_srs0(std::string_view rest) const {
  std::array<std::string_view, 4> f{};  // hash, stamp, host, user
  if (!split_fields(rest, f) || f[2].empty() || f[3].empty())
    return fail(SrsError::not_srs, "malformed SRS0 address");
  if (f[0].size() < static_cast<std::size_t>(options_.hash_length))
    return fail(SrsError::bad_hash, "hash too short in SRS0 address");
  if (!hash_matches(f[0], f[1], f[2], f[3]))
    return fail(SrsError::bad_hash, "hash invalid in SRS0 address");
  if (auto s = check_stamp(f[1]); !s) return s;
  return fmt::format("{}@{}", f[3], f[2]);
}

SrsResult SrsCodec::reverse_srs1(std::string_view rest) const {
  std::array<std::string_view, 3> f{};  // hash, host, <osep>SRS0 rest
  if (!split_fields(rest, f) || f[1].empty() || f[2].empty() || !is_separator(f[2][0]))
    return fail(SrsError::not_srs, "malformed SRS1 address");
  if (f[0].size() < static_cast<std::size_t>(options_.hash_length))
    return fail(SrsError::bad_hash, "hash too short in SRS1 address");
  if (!hash_matches(f[0], f[1], f[2], {}))
    return fail(SrsError::bad_hash, "hash invalid in SRS1 address");
  return fmt::format("SRS0{}@{}", f[2], f[1]);
}

// check_stamp - an authenticated stamp is within max_age days of today (mod 1024).
SrsResult SrsCodec::check_stamp(std::string_view stamp) const {
  const int then = decode_stamp(stamp);
  if (then < 0) return fail(SrsError::expired, "invalid time stamp in SRS0 address");
  const int age = ((day_slot(clock_->now()) - then) % kStampDays + kStampDays) % kStampDays;
  if (age > options_.max_age)
    return fail(SrsError::expired, "time stamp out of date in SRS0 address");
  return std::string();
}

}  // namespace postseal::srs
