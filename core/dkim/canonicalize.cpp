// canonicalize.cpp - RFC 6376 3.4 header canonicalization and the streaming body hash.
//
// Untrusted input: header fields and body octets of a message being signed or verified.
// The body canonicalizer is a small state machine (a pending CR, a pending WSP run, a count
// of deferred empty lines, whether the current line has content) so a chunk may end anywhere
// and chunked hashing equals one-pass hashing (docs/security.md 19). A CRLF that ends a line
// with content is output at once; one that ends an empty line is deferred until content
// shows it is not trailing. Between the octets the state machine must see, a BlockCopier
// (body_scan.hpp) canonicalizes 16, 32 or 64 octets a step straight into the output buffer.
// Memory is O(1): canonical output goes through a fixed kHashBufferBytes buffer into the
// digest, one update per full buffer; no per-octet calls or allocations. Limits: the buffer is
// written only through put() (one octet, after a check) and the copier (given the room left);
// the l= limit is applied when the buffer is hashed.
#include "core/dkim/canonicalize.hpp"

#include "core/crypto/digest.hpp"
#include "core/dkim/body_scan.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>

namespace postseal::dkim {

namespace {

// kHashBufferBytes - canonical output is batched into digest updates of this size.
constexpr std::size_t kHashBufferBytes = 16 * 1024;

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

}  // namespace

std::string_view to_string(Canon c) { return c == Canon::simple ? "simple" : "relaxed"; }

std::optional<Canon> parse_canon_name(std::string_view name) {
  if (name == "simple") return Canon::simple;
  if (name == "relaxed") return Canon::relaxed;
  return std::nullopt;
}

struct BodyHasher::State {
  Canon canon = Canon::simple;
  BlockCopier copy = nullptr;
  EVP_MD_CTX* ctx = nullptr;
  std::optional<std::uint64_t> limit;
  std::uint64_t flushed = 0;       // canonical octets moved out of the buffer (hashed up to limit)
  std::uint64_t crlf_pending = 0;  // empty lines not yet known not to be trailing
  bool cr_pending = false;         // the last chunk ended with a CR
  bool wsp_pending = false;        // relaxed: a WSP run not yet known not to end its line
  bool line_open = false;          // the current line has content
  std::size_t used = 0;
  std::array<char, kHashBufferBytes> buffer;  // left uninitialized (only [0, used) is read)

  std::uint64_t length() const { return flushed + used; }
  std::size_t room() const { return buffer.size() - used; }

  // flush - hash the buffered octets that lie within the limit, empty the buffer.
  void flush() {
    std::size_t n = used;
    if (limit)
      n = static_cast<std::size_t>(std::min<std::uint64_t>(n, *limit - std::min(*limit, flushed)));
    if (n != 0) EVP_DigestUpdate(ctx, buffer.data(), n);
    flushed += used;
    used = 0;
  }
  void put(char c) {
    if (used == buffer.size()) flush();
    buffer[used++] = c;
  }
  // put_pending - before content: the deferred empty lines (not trailing) and the WSP run.
  void put_pending() {
    for (; crlf_pending != 0; --crlf_pending) {
      put('\r');
      put('\n');
    }
    if (wsp_pending) put(' ');
    wsp_pending = false;
  }
  // content - p[i] is an ordinary octet: what is pending, p[i], then what the copier takes.
  std::size_t content(const char* p, std::size_t i, std::size_t n) {
    if (crlf_pending != 0 || wsp_pending) put_pending();
    put(p[i++]);
    line_open = true;
    while (i < n) {
      if (room() < kCopierRoom) flush();
      Copied c = copy(p + i, n - i, buffer.data() + used, room());
      i += c.in;
      used += c.out;
      if (room() >= kCopierRoom) break;  // stopped at an octet for the state machine, or the end
    }
    return i;
  }
  // line_end - a CRLF: output at once after content, deferred after an empty line.
  void line_end() {
    if (line_open) {
      put('\r');
      put('\n');
    } else {
      ++crlf_pending;
    }
    line_open = false;
    wsp_pending = false;  // 3.4.4: WSP at the end of a line is dropped
  }
  // carriage_return - a CR at p[i]: a line end, a bare CR (content), or pending at chunk end.
  std::size_t carriage_return(const char* p, std::size_t i, std::size_t n) {
    if (i + 1 == n) {
      cr_pending = true;
      return n;
    }
    if (p[i + 1] != '\n') return content(p, i, n);
    line_end();
    return i + 2;
  }
  // resume_cr - a CR left pending at the end of the previous chunk meets this one (n > 0).
  std::size_t resume_cr(const char* p) {
    cr_pending = false;
    if (p[0] == '\n') {
      line_end();
      return 1;
    }
    bare_cr();
    return 0;
  }
  // bare_cr - a CR not followed by LF is an ordinary octet.
  void bare_cr() {
    put_pending();
    put('\r');
    line_open = true;
  }
  // wsp_run - a WSP run from p[i] (relaxed): pending until content shows it does not end its line.
  std::size_t wsp_run(const char* p, std::size_t i, std::size_t n) {
    do ++i;
    while (i < n && is_wsp(p[i]));
    wsp_pending = true;
    return i;
  }
  void update(const char* p, std::size_t n) {
    std::size_t i = cr_pending ? resume_cr(p) : 0;
    bool relaxed = canon == Canon::relaxed;
    while (i < n) {
      char c = p[i];
      if (c == '\r') {
        i = carriage_return(p, i, n);
      } else if (relaxed && is_wsp(c)) {
        i = wsp_run(p, i, n);
      } else {
        i = content(p, i, n);
      }
    }
  }
  // finish_lines - a CR left pending is content; the last line with content gets its CRLF
  // (3.4.3: an empty simple body is one CRLF; 3.4.4: an empty relaxed body stays empty).
  void finish_lines() {
    if (cr_pending) {
      cr_pending = false;
      bare_cr();
    }
    if (line_open || (canon == Canon::simple && length() == 0)) {
      put('\r');
      put('\n');
    }
    line_open = false;
  }
};

// append_relaxed_value - 3.4.2 for a field's value: unfolded, WSP runs as one SP, none at
// either end. Runs of other octets are appended whole.
void append_relaxed_value(std::string_view value, std::string& out) {
  bool wsp = false;
  bool any = false;
  std::size_t i = 0;
  while (i < value.size()) {
    char c = value[i];
    if (c == '\r' && i + 1 < value.size() && value[i + 1] == '\n') {
      i += 2;  // unfold: drop the CRLF, keep the WSP after it
    } else if (is_wsp(c)) {
      wsp = true;
      ++i;
    } else {
      if (wsp && any) out.push_back(' ');
      wsp = false;
      any = true;
      std::size_t end = i + 1;
      while (end < value.size() && !is_wsp(value[end]) && value[end] != '\r') ++end;
      out.append(value.substr(i, end - i));
      i = end;
    }
  }
}

void append_canonical_header(Canon canon, std::string_view raw_field, std::string& out) {
  if (canon == Canon::simple) {
    out.append(raw_field);
    out.append("\r\n");
    return;
  }
  std::size_t colon = raw_field.find(':');
  std::string_view name = raw_field.substr(0, colon);
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  out.reserve(out.size() + raw_field.size() + 2);
  for (char c : name) out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  out.push_back(':');
  if (colon != std::string_view::npos) append_relaxed_value(raw_field.substr(colon + 1), out);
  out.append("\r\n");
}

std::string canonicalize_header(Canon canon, std::string_view raw_field) {
  std::string out;
  append_canonical_header(canon, raw_field, out);
  return out;
}

BodyHasher::BodyHasher(Canon canon, const EVP_MD* md, std::optional<std::uint64_t> limit)
    : state_(std::make_unique_for_overwrite<State>()) {
  state_->canon = canon;
  state_->copy = block_copier(canon, best_scan_width());
  state_->limit = limit;
  state_->ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(state_->ctx, crypto::fetched(md), nullptr);
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
  if (!chunk.empty()) state_->update(chunk.data(), chunk.size());
}

std::string BodyHasher::finish() {
  State& s = *state_;
  s.finish_lines();
  s.flush();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(s.ctx, digest, &len);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::uint64_t BodyHasher::canonical_length() const { return state_->length(); }

}  // namespace postseal::dkim
