// body_scan.hpp - canonicalize the long stretches of a body a block of octets at a time.
//
// RFC 6376 3.4.3 (simple) and 3.4.4 (relaxed). BodyHasher (canonicalize.cpp) runs a small state
// machine for what needs memory across octets and chunks: a CR at a chunk's end, a WSP run
// that may turn out to end its line, and CRLFs that may turn out to be trailing empty lines.
// Between those it calls a BlockCopier, which looks at 16, 32 or 64 octets at once and takes
// (canonicalized into the output) everything it can decide from the block alone:
//   - ordinary octets, copied;
//   - a CRLF ending a line that has content, when the octet after the LF is also content (so
//     the next line is not empty): copied;
//   - relaxed, with AVX-512 VBMI2 only: a WSP run followed by content becomes one SP, a WSP run
//     followed by such a CRLF is dropped (the other widths stop at the run instead).
// It stops at anything else (a CR it cannot decide, a WSP run touching the block's end or a
// change it cannot make) and the state machine takes that octet. The copier is only entered
// after a content octet of an open line, and it always leaves after one, so the state machine
// finds the same state it left. Widths: AVX-512 VBMI2 (64, chosen at run time), AVX2 (32),
// SSE2 (16, every x86-64 CPU) and one octet a step (other CPUs, and short tails); all produce
// the same output (tests/unit/dkim/body_scan_test.cpp compares each with a plain reference).
// Untrusted input: body octets. Limits: reads only p[0, n); writes only out[0, room), and
// takes no block while room < kCopierRoom.
#pragma once

#include "core/dkim/canonicalize.hpp"

#include <cstddef>
#include <vector>

namespace postseal::dkim {

// kCopierRoom - a copier takes a block only with this much room left in out.
inline constexpr std::size_t kCopierRoom = 64;

// Copied - octets taken from the input, octets written to out (fewer when relaxed drops WSP).
struct Copied {
  std::size_t in = 0;
  std::size_t out = 0;
};

// BlockCopier - canonicalize a prefix of p[0, n) into out[0, room) (see above); p[-1] was a
// content octet of an open line. Octets of out past the written count may be overwritten.
using BlockCopier = Copied (*)(const char* p, std::size_t n, char* out, std::size_t room);

// ScanWidth - how many octets a copier looks at in one step.
enum class ScanWidth { octet, sse2, avx2, avx512 };

// best_scan_width - the widest this CPU runs (checked once), or the one a ScopedScanWidth on
// this thread names.
ScanWidth best_scan_width();
// scan_widths - every width this CPU runs, narrowest first (for tests and benchmarks).
std::vector<ScanWidth> scan_widths();
// ScopedScanWidth - while it lives, BodyHashers made on this thread use `width` (tests compare
// the widths, benchmarks time them).
class ScopedScanWidth {
 public:
  explicit ScopedScanWidth(ScanWidth width);
  ~ScopedScanWidth();
  ScopedScanWidth(const ScopedScanWidth&) = delete;
  ScopedScanWidth& operator=(const ScopedScanWidth&) = delete;

 private:
  const ScanWidth* previous_;
  ScanWidth width_;
};

// block_copier - the copier for `canon` at `width` (a width from scan_widths()).
BlockCopier block_copier(Canon canon, ScanWidth width);

}  // namespace postseal::dkim
