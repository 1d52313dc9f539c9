// canonicalize.cpp - RFC 6376 3.4 header canonicalization and the streaming body hash.
//
// Untrusted input: header fields and body octets of a message being signed or verified.
// The body canonicalizer is a small state machine (a pending CR, a pending WSP run, a count
// of deferred CRLFs) so a chunk may end anywhere and chunked hashing equals one-pass hashing
// (docs/security.md 19). Memory is O(1): canonical output goes through a fixed kHashBufferBytes
// buffer into the digest. Hot path: bytes that need no change are found 16 at a time (SSE2)
// and copied in bulk; no per-byte calls or allocations.
#include "core/dkim/canonicalize.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace postseal::dkim {

namespace {

// kHashBufferBytes - canonical output is batched into digest updates of this size.
constexpr std::size_t kHashBufferBytes = 32 * 1024;

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

// skip_plain_relaxed - index of the first octet at or after i that relaxed canonicalization
// may change: HTAB, CR, or SP followed by SP/HTAB/CR (or by the chunk's end).
std::size_t skip_plain_relaxed(const char* p, std::size_t i, std::size_t n) {
#if defined(__SSE2__)
  const __m128i cr = _mm_set1_epi8('\r'), tab = _mm_set1_epi8('\t'), sp = _mm_set1_epi8(' ');
  while (i + 17 <= n) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 1));
    __m128i special = _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, tab));
    __m128i next_wsp = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(next, sp), _mm_cmpeq_epi8(next, tab)),
                                    _mm_cmpeq_epi8(next, cr));
    special = _mm_or_si128(special, _mm_and_si128(_mm_cmpeq_epi8(v, sp), next_wsp));
    int mask = _mm_movemask_epi8(special);
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    i += 16;
  }
#endif
  for (; i < n; ++i) {
    char c = p[i];
    if (c == '\r' || c == '\t') return i;
    if (c == ' ' && (i + 1 == n || is_wsp(p[i + 1]) || p[i + 1] == '\r')) return i;
  }
  return n;
}

}  // namespace

std::string_view to_string(Canon c) { return c == Canon::simple ? "simple" : "relaxed"; }

std::optional<Canon> parse_canon_name(std::string_view name) {
  if (name == "simple") return Canon::simple;
  if (name == "relaxed") return Canon::relaxed;
  return std::nullopt;
}

struct BodyHasher::State {
  Canon canon;
  EVP_MD_CTX* ctx = nullptr;
  std::optional<std::uint64_t> limit;
  std::uint64_t length = 0;   // canonical octets produced
  std::uint64_t hashed = 0;   // canonical octets fed to the digest (<= limit)
  std::uint64_t crlf_pending = 0;
  bool cr_pending = false;
  bool wsp_pending = false;
  std::size_t used = 0;
  std::array<char, kHashBufferBytes> buffer;

  void flush() {
    if (used != 0) EVP_DigestUpdate(ctx, buffer.data(), used);
    used = 0;
  }
  // emit - append canonical octets (counted; hashed up to the limit).
  void emit(const char* p, std::size_t n) {
    length += n;
    if (limit) {
      if (hashed >= *limit) return;
      n = static_cast<std::size_t>(std::min<std::uint64_t>(n, *limit - hashed));
    }
    hashed += n;
    if (n > buffer.size() - used) {
      flush();
      if (n >= buffer.size()) {
        EVP_DigestUpdate(ctx, p, n);
        return;
      }
    }
    std::memcpy(buffer.data() + used, p, n);
    used += n;
  }
  // content - non-line-end octets: first the deferred CRLFs and WSP they make real.
  void content(const char* p, std::size_t n) {
    for (; crlf_pending != 0; --crlf_pending) emit("\r\n", 2);
    if (wsp_pending) emit(" ", 1);
    wsp_pending = false;
    emit(p, n);
  }
  void line_end() {
    ++crlf_pending;
    wsp_pending = false;
  }
  // carriage_return - a CR at p[i]; returns octets consumed (CR pending at chunk end).
  std::size_t carriage_return(const char* p, std::size_t i, std::size_t n) {
    if (i + 1 == n) {
      cr_pending = true;
      return 1;
    }
    if (p[i + 1] == '\n') {
      line_end();
      return 2;
    }
    content("\r", 1);
    return 1;
  }
  // resume_cr - a CR left pending at the end of the previous chunk meets this chunk.
  std::size_t resume_cr(const char* p, std::size_t n) {
    cr_pending = false;
    if (n != 0 && p[0] == '\n') {
      line_end();
      return 1;
    }
    content("\r", 1);
    return 0;
  }
  void update_simple(const char* p, std::size_t n) {
    std::size_t i = cr_pending ? resume_cr(p, n) : 0;
    while (i < n) {
      const void* hit = std::memchr(p + i, '\r', n - i);
      std::size_t end = hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - p) : n;
      if (end > i) content(p + i, end - i);
      i = end;
      if (i < n) i += carriage_return(p, i, n);
    }
  }
  void update_relaxed(const char* p, std::size_t n) {
    std::size_t i = cr_pending ? resume_cr(p, n) : 0;
    if (wsp_pending) {
      while (i < n && is_wsp(p[i])) ++i;  // the run goes on from the previous chunk
    }
    while (i < n) {
      std::size_t end = skip_plain_relaxed(p, i, n);
      if (end > i) content(p + i, end - i);
      i = end;
      if (i == n) break;
      if (p[i] == '\r') {
        i += carriage_return(p, i, n);
      } else {
        while (i < n && is_wsp(p[i])) ++i;
        wsp_pending = true;
      }
    }
  }
};

std::string canonicalize_header(Canon canon, std::string_view raw_field) {
  if (canon == Canon::simple) return std::string(raw_field) + "\r\n";
  std::size_t colon = raw_field.find(':');
  std::string_view name = raw_field.substr(0, colon);
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  std::string out;
  out.reserve(raw_field.size() + 2);
  for (char c : name) out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  out.push_back(':');
  std::string_view value = colon == std::string_view::npos ? std::string_view() : raw_field.substr(colon + 1);
  bool wsp = false;
  bool any = false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\r' && i + 1 < value.size() && value[i + 1] == '\n') {
      ++i;  // unfold: drop the CRLF, keep the WSP after it
      continue;
    }
    if (is_wsp(c)) {
      wsp = true;
      continue;
    }
    if (wsp && any) out.push_back(' ');
    wsp = false;
    any = true;
    out.push_back(c);
  }
  out += "\r\n";
  return out;
}

BodyHasher::BodyHasher(Canon canon, const EVP_MD* md, std::optional<std::uint64_t> limit)
    : state_(std::make_unique<State>()) {
  state_->canon = canon;
  state_->limit = limit;
  state_->ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(state_->ctx, md, nullptr);
}

BodyHasher::~BodyHasher() {
  if (state_) EVP_MD_CTX_free(state_->ctx);
}
BodyHasher::BodyHasher(BodyHasher&&) noexcept = default;
BodyHasher& BodyHasher::operator=(BodyHasher&& other) noexcept {
  if (this != &other) {
    if (state_) EVP_MD_CTX_free(state_->ctx);
    state_ = std::move(other.state_);
  }
  return *this;
}

void BodyHasher::update(std::string_view chunk) {
  if (chunk.empty()) return;
  if (state_->canon == Canon::simple) {
    state_->update_simple(chunk.data(), chunk.size());
  } else {
    state_->update_relaxed(chunk.data(), chunk.size());
  }
}

std::string BodyHasher::finish() {
  State& s = *state_;
  if (s.cr_pending) {
    s.cr_pending = false;
    s.content("\r", 1);
  }
  // 3.4.3: simple adds a CRLF to an empty body too; 3.4.4: relaxed only to a non-empty one.
  if (s.canon == Canon::simple || s.length != 0) s.emit("\r\n", 2);
  s.flush();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(s.ctx, digest, &len);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::uint64_t BodyHasher::canonical_length() const { return state_->length; }

}  // namespace postseal::dkim
