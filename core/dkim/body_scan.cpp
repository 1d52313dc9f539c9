// body_scan.cpp - the block copiers of body canonicalization (see body_scan.hpp).
//
// RFC 6376 3.4.3/3.4.4. Untrusted input: body octets. One plan for every width: a block's
// octets are classified into bit masks (CR, LF, SP, HTAB; bit i for octet i), plan_block()
// decides from the masks alone how many octets to take and which of them to write, and the
// width-specific code only loads, classifies and stores. Bounds: a block is at most
// min(64, octets left) long and lies inside p[0, n) (SSE2 and AVX2 load only whole blocks,
// AVX-512 masks the octets past n off, so they are never read); a block is written only with
// at least kCopierRoom octets of room, and it writes at most its length (a whole 16- or
// 32-octet store, or the 64-octet store of AVX-512, fits in kCopierRoom).
#include "core/dkim/body_scan.hpp"

#include <algorithm>
#include <cstdint>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define POSTSEAL_BODY_SCAN_X86 1
#include <immintrin.h>
#endif

namespace postseal::dkim {

namespace {

#define POSTSEAL_INLINE [[gnu::always_inline]] inline

using Bits = std::uint64_t;

constexpr unsigned kMaxBlock = 64;

// below - bits 0 .. k-1 (k <= 64).
POSTSEAL_INLINE Bits below(unsigned k) { return k >= 64 ? ~Bits{0} : (Bits{1} << k) - 1; }
POSTSEAL_INLINE unsigned lowest(Bits x) { return static_cast<unsigned>(__builtin_ctzll(x)); }
POSTSEAL_INLINE unsigned highest(Bits x) { return 63u - static_cast<unsigned>(__builtin_clzll(x)); }
POSTSEAL_INLINE bool bit(Bits x, unsigned i) { return (x >> i & 1) != 0; }

// BlockBits - a block's octet classes: bit i for octet i, no bit at or past len.
struct BlockBits {
  Bits cr = 0, lf = 0, sp = 0, tab = 0;
  unsigned len = 0;
};

// BlockPlan - the copier takes octets [0, take) of the block and writes those in keep. more:
// the block stopped only for want of the octets after it (a CR in its last two octets, a WSP
// run reaching its end), so a block starting at `take` may go on.
struct BlockPlan {
  unsigned take = 0;
  Bits keep = 0;
  bool more = false;
};

// run_start - the first octet of the WSP run that holds octet i. The run starts inside the
// block: the octet before a block is never WSP (see body_scan.hpp).
POSTSEAL_INLINE unsigned run_start(Bits starts, unsigned i) {
  return highest(starts & below(i + 1));
}

// taken_crlfs - CRs of CRLFs inside the block whose next octet is content: the line they end
// has content (the copier is inside one) and the next line is not empty, so the CRLF is
// output as it is. Any other CR is left to the state machine.
POSTSEAL_INLINE Bits taken_crlfs(const BlockBits& b, Bits wsp) {
  Bits crlf = b.cr & (b.lf >> 1);
  Bits content = below(b.len) & ~(wsp | b.cr | (crlf << 1));
  return crlf & (content >> 2);
}

// first_stop - the plan before WSP: up to the first CR not taken, or the whole block.
POSTSEAL_INLINE BlockPlan first_stop(const BlockBits& b, Bits crlfs) {
  Bits stops = b.cr & ~crlfs;
  if (stops == 0) return {b.len, 0, true};
  unsigned take = lowest(stops);
  return {take, 0, take + 2 >= b.len};  // the LF or the octet after it lies past the block
}

// trailing_runs - the first octet of each WSP run that ends a line (followed by a taken CRLF
// before `take`): relaxed drops the whole run (its other octets are dropped anyway).
POSTSEAL_INLINE Bits trailing_runs(Bits crlfs, Bits wsp, Bits starts, unsigned take) {
  Bits out = 0;
  for (Bits m = crlfs & below(take); m != 0; m &= m - 1) {
    unsigned e = lowest(m);
    if (e > 0 && bit(wsp, e - 1)) out |= Bits{1} << run_start(starts, e - 1);
  }
  return out;
}

// plan_wsp - relaxed: a WSP run reaching the stop may end its line (the state machine, or the
// next block, decides it); a run's octets after its first are dropped, and all of a run that
// ends a line. can_change: the copier can drop octets and write HTAB as SP (else it stops at
// the first run that needs either, and the state machine takes it).
POSTSEAL_INLINE BlockPlan plan_wsp(const BlockBits& b, Bits wsp, Bits crlfs, BlockPlan plan,
                                   bool can_change) {
  Bits starts = wsp & ~(wsp << 1);
  if (plan.take > 0 && bit(wsp, plan.take - 1)) plan.take = run_start(starts, plan.take - 1);
  Bits drop = (wsp & (wsp << 1)) | trailing_runs(crlfs, wsp, starts, plan.take);
  Bits change = (drop | b.tab) & below(plan.take);
  if (!can_change && change != 0) {
    plan.take = run_start(starts, lowest(change));
    plan.more = false;
  }
  plan.keep = below(plan.take) & ~drop;
  return plan;
}

// plan_block - RFC 6376 3.4.3/3.4.4 for what one block decides.
template <Canon C>
POSTSEAL_INLINE BlockPlan plan_block(const BlockBits& b, bool can_change) {
  Bits wsp = C == Canon::relaxed ? (b.sp | b.tab) : 0;
  Bits crlfs = taken_crlfs(b, wsp);
  BlockPlan plan = first_stop(b, crlfs);
  if constexpr (C == Canon::simple) {
    plan.keep = below(plan.take);
    return plan;
  } else {
    return plan_wsp(b, wsp, crlfs, plan, can_change);
  }
}

// quiet - nothing in the block for plan_block: no CR, and relaxed: no HTAB, no SP before SP,
// no SP at the block's end. The copier takes it whole.
template <Canon C>
POSTSEAL_INLINE bool quiet(const BlockBits& b) {
  if constexpr (C == Canon::simple) {
    return b.cr == 0;
  } else {
    Bits last = Bits{1} << (b.len - 1);
    return (b.cr | b.tab | (b.sp & ((b.sp >> 1) | last))) == 0;
  }
}

// classify - the classes of p[0, len), one octet a step (len <= kMaxBlock).
BlockBits classify(const char* p, unsigned len) {
  BlockBits b;
  b.len = len;
  for (unsigned i = 0; i < len; ++i) {
    Bits one = Bits{1} << i;
    if (p[i] == '\r') b.cr |= one;
    if (p[i] == '\n') b.lf |= one;
    if (p[i] == ' ') b.sp |= one;
    if (p[i] == '\t') b.tab |= one;
  }
  return b;
}

// write_kept - the kept octets of p[0, take) to out (relaxed: HTAB as SP); how many.
template <Canon C>
std::size_t write_kept(const char* p, const BlockPlan& plan, char* out) {
  std::size_t o = 0;
  for (unsigned i = 0; i < plan.take; ++i) {
    if (!bit(plan.keep, i)) continue;
    out[o++] = C == Canon::relaxed && p[i] == '\t' ? ' ' : p[i];
  }
  return o;
}

// add - `more` taken after `done`.
Copied add(Copied done, Copied more) { return {done.in + more.in, done.out + more.out}; }

// advance - count a planned block of len octets (`written` of them output) in `done`; false
// when the copier stops there. A whole block is a constant step, so the next block's load
// does not wait for this block's plan.
POSTSEAL_INLINE bool advance(Copied& done, const BlockPlan& plan, unsigned len,
                             std::size_t written) {
  done.out += written;
  if (plan.take == len) {
    done.in += len;
    return true;
  }
  done.in += plan.take;
  return plan.more && plan.take != 0;  // else a block from take on decides the rest
}

// copy_octets - blocks classified one octet a step (other CPUs, and the vector copiers' tails).
template <Canon C>
Copied copy_octets(const char* p, std::size_t n, char* out, std::size_t room) {
  Copied done;
  while (done.in < n && room - done.out >= kCopierRoom) {
    unsigned len = static_cast<unsigned>(std::min<std::size_t>(n - done.in, kMaxBlock));
    BlockPlan plan = plan_block<C>(classify(p + done.in, len), true);
    if (!advance(done, plan, len, write_kept<C>(p + done.in, plan, out + done.out))) break;
  }
  return done;
}

#if defined(POSTSEAL_BODY_SCAN_X86)

// sse2_bits - bit i set: octet i of v is c.
Bits sse2_bits(__m128i v, char c) {
  return static_cast<Bits>(
      static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c)))));
}

// copy_sse2 - 16-octet blocks, written as they are (stops before any change).
template <Canon C>
Copied copy_sse2(const char* p, std::size_t n, char* out, std::size_t room) {
  constexpr unsigned kWidth = 16;
  Copied done;
  while (n - done.in >= kWidth && room - done.out >= kCopierRoom) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + done.in));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + done.out), v);
    BlockBits b{sse2_bits(v, '\r'), sse2_bits(v, '\n'), sse2_bits(v, ' '), sse2_bits(v, '\t'),
                kWidth};
    BlockPlan plan = quiet<C>(b) ? BlockPlan{kWidth, 0, true} : plan_block<C>(b, false);
    if (!advance(done, plan, kWidth, plan.take)) return done;
  }
  return add(done, copy_octets<C>(p + done.in, n - done.in, out + done.out, room - done.out));
}

// avx2_bits - bit i set: octet i of v is c.
[[gnu::target("avx2")]] Bits avx2_bits(__m256i v, char c) {
  return static_cast<Bits>(
      static_cast<unsigned>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(c)))));
}

// copy_avx2 - 32-octet blocks, written as they are (only run when the CPU has AVX2).
template <Canon C>
[[gnu::target("avx2")]] Copied copy_avx2(const char* p, std::size_t n, char* out,
                                         std::size_t room) {
  constexpr unsigned kWidth = 32;
  Copied done;
  while (n - done.in >= kWidth && room - done.out >= kCopierRoom) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + done.in));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + done.out), v);
    BlockBits b{avx2_bits(v, '\r'), avx2_bits(v, '\n'), avx2_bits(v, ' '), avx2_bits(v, '\t'),
                kWidth};
    BlockPlan plan = quiet<C>(b) ? BlockPlan{kWidth, 0, true} : plan_block<C>(b, false);
    if (!advance(done, plan, kWidth, plan.take)) return done;
  }
  return add(done, copy_octets<C>(p + done.in, n - done.in, out + done.out, room - done.out));
}

#define POSTSEAL_AVX512 "avx512f,avx512bw,avx512vbmi2,popcnt"

// avx512_bits - bit i set: octet i of v is c.
[[gnu::target(POSTSEAL_AVX512)]] Bits avx512_bits(__m512i v, char c) {
  return _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(c));
}

// avx512_block - plan the block v (len octets, none past len) and write what it keeps to out
// (relaxed: compressed, HTAB as SP); how many octets that is.
template <Canon C>
[[gnu::target(POSTSEAL_AVX512), gnu::always_inline]] inline std::size_t avx512_block(
    __m512i v, unsigned len, char* out, BlockPlan& plan) {
  BlockBits b{avx512_bits(v, '\r'), avx512_bits(v, '\n'), avx512_bits(v, ' '), avx512_bits(v, '\t'),
              len};
  if (quiet<C>(b)) {
    plan = {len, below(len), true};
    _mm512_storeu_si512(out, v);
    return len;
  }
  plan = plan_block<C>(b, true);
  if constexpr (C == Canon::relaxed) {
    v = _mm512_mask_mov_epi8(v, b.tab, _mm512_set1_epi8(' '));
    v = _mm512_maskz_compress_epi8(plan.keep, v);
  }
  _mm512_storeu_si512(out, v);
  return static_cast<std::size_t>(__builtin_popcountll(plan.keep));
}

// copy_avx512 - 64-octet blocks, then shorter ones whose missing octets are masked off (never
// read); relaxed drops and rewrites WSP inside a block.
template <Canon C>
[[gnu::target(POSTSEAL_AVX512)]] Copied copy_avx512(const char* p, std::size_t n, char* out,
                                                    std::size_t room) {
  Copied done;
  BlockPlan plan;
  while (n - done.in >= kMaxBlock && room - done.out >= kCopierRoom) {
    std::size_t written =
        avx512_block<C>(_mm512_loadu_si512(p + done.in), kMaxBlock, out + done.out, plan);
    if (!advance(done, plan, kMaxBlock, written)) return done;
  }
  while (done.in < n && room - done.out >= kCopierRoom) {
    unsigned len = static_cast<unsigned>(n - done.in);  // < kMaxBlock
    __m512i v = _mm512_maskz_loadu_epi8(below(len), p + done.in);
    if (!advance(done, plan, len, avx512_block<C>(v, len, out + done.out, plan))) return done;
  }
  return done;
}

// has_avx512 - the CPU (and the OS, which libgcc checks) runs the AVX-512 copier.
bool has_avx512() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vbmi2") && __builtin_cpu_supports("popcnt");
}

// has_avx2 - the CPU runs the AVX2 copier.
bool has_avx2() { return __builtin_cpu_supports("avx2"); }

#endif

// copier - the copier of `width` for one canonicalization.
template <Canon C>
BlockCopier copier(ScanWidth width) {
#if defined(POSTSEAL_BODY_SCAN_X86)
  switch (width) {
    case ScanWidth::avx512: return copy_avx512<C>;
    case ScanWidth::avx2: return copy_avx2<C>;
    case ScanWidth::sse2: return copy_sse2<C>;
    case ScanWidth::octet: break;
  }
#endif
  (void)width;
  return copy_octets<C>;
}

}  // namespace

std::vector<ScanWidth> scan_widths() {
  static const std::vector<ScanWidth> widths = [] {
    std::vector<ScanWidth> w{ScanWidth::octet};
#if defined(POSTSEAL_BODY_SCAN_X86)
    __builtin_cpu_init();  // needed when the first BodyHasher is made before main() runs
    w.push_back(ScanWidth::sse2);
    if (has_avx2()) w.push_back(ScanWidth::avx2);
    if (has_avx512()) w.push_back(ScanWidth::avx512);
#endif
    return w;
  }();
  return widths;
}

namespace {
thread_local const ScanWidth* forced_width = nullptr;  // set by ScopedScanWidth
}  // namespace

ScanWidth best_scan_width() {
  static const ScanWidth best = scan_widths().back();
  return forced_width != nullptr ? *forced_width : best;
}

ScopedScanWidth::ScopedScanWidth(ScanWidth width) : previous_(forced_width), width_(width) {
  forced_width = &width_;
}

ScopedScanWidth::~ScopedScanWidth() { forced_width = previous_; }

BlockCopier block_copier(Canon canon, ScanWidth width) {
  return canon == Canon::simple ? copier<Canon::simple>(width) : copier<Canon::relaxed>(width);
}

}  // namespace postseal::dkim
