// body_scan_test.cpp - the block-at-a-time body canonicalizer (core/dkim/body_scan.hpp, run by
// BodyHasher) against a plain reference written here from RFC 6376 3.4.3/3.4.4, at every scan
// width this CPU runs, on edge cases and seeded random bodies, hashed in one piece and cut at
// every split point (docs/security.md 17, 19). Also: the output buffer's flushes (bodies longer
// than it, long runs of empty lines), the l= limit, and the copiers called directly with every
// amount of room.
#include "core/dkim/body_scan.hpp"
#include "core/dkim/canonicalize.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::dkim {
namespace {

bool wsp(char c) { return c == ' ' || c == '\t'; }

// reference_lines - the body cut at each CRLF (a last piece without one is a line too).
std::vector<std::string> reference_lines(std::string_view body) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t end = body.find("\r\n", pos);
    if (end == std::string_view::npos) end = body.size();
    lines.emplace_back(body.substr(pos, end - pos));
    pos = end + 2;
  }
  return lines;
}

// reference_relaxed_line - 3.4.4: WSP runs become one SP, WSP at the line's end goes.
std::string reference_relaxed_line(std::string_view line) {
  std::string out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (!wsp(line[i])) {
      out += line[i];
    } else if (out.empty() || out.back() != ' ' || i == 0 || !wsp(line[i - 1])) {
      out += ' ';
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// reference - RFC 6376 3.4.3 / 3.4.4, one rule at a time.
std::string reference(Canon canon, std::string_view body) {
  std::vector<std::string> lines = reference_lines(body);
  if (canon == Canon::relaxed) {
    for (auto& line : lines) line = reference_relaxed_line(line);
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::string out;
  for (const auto& line : lines) out += line + "\r\n";
  if (out.empty() && canon == Canon::simple) out = "\r\n";
  return out;
}

std::string sha256(std::string_view s) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  return std::string(reinterpret_cast<const char*>(d), sizeof d);
}

const char* name(Canon c) { return c == Canon::simple ? "simple" : "relaxed"; }

const char* name(ScanWidth w) {
  switch (w) {
    case ScanWidth::octet: return "octet";
    case ScanWidth::sse2: return "sse2";
    case ScanWidth::avx2: return "avx2";
    case ScanWidth::avx512: return "avx512";
  }
  return "?";
}

struct Hashed {
  std::string digest;
  std::uint64_t length = 0;
};

// hash_pieces - BodyHasher at `width` over the body cut at `cuts` (ascending offsets).
Hashed hash_pieces(ScanWidth width, Canon canon, std::string_view body,
                   const std::vector<std::size_t>& cuts,
                   std::optional<std::uint64_t> limit = std::nullopt) {
  ScopedScanWidth scoped(width);
  BodyHasher h(canon, EVP_sha256(), limit);
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    h.update(body.substr(from, cut - from));
    from = cut;
  }
  h.update(body.substr(from));
  Hashed out;
  out.digest = h.finish();
  out.length = h.canonical_length();
  return out;
}

// check_every_split - one piece, two pieces at every split point, and three pieces at split
// points a block apart, all equal to the reference.
void check_every_split(std::string_view body) {
  for (Canon canon : {Canon::simple, Canon::relaxed}) {
    std::string want_text = reference(canon, body);
    std::string want = sha256(want_text);
    for (ScanWidth width : scan_widths()) {
      SCOPED_TRACE(testing::Message()
                   << name(canon) << " " << name(width) << " body [" << body << "]");
      Hashed whole = hash_pieces(width, canon, body, {});
      ASSERT_EQ(whole.digest, want) << "want [" << want_text << "]";
      ASSERT_EQ(whole.length, want_text.size());
      for (std::size_t i = 0; i <= body.size(); ++i) {
        ASSERT_EQ(hash_pieces(width, canon, body, {i}).digest, want) << "split at " << i;
        std::size_t j = std::min(body.size(), i + 61);
        ASSERT_EQ(hash_pieces(width, canon, body, {i, j}).digest, want)
            << "split at " << i << ", " << j;
      }
    }
  }
}

std::vector<std::string> edge_bodies() {
  const std::string line64(62, 'x');  // with CRLF: one whole 64-octet block
  return {
      "",
      "\r\n",
      "\r\n\r\n",
      " ",
      "\t",
      " \r\n",
      "a",
      "a\r",
      "a\r\n",
      "a\n",
      "a\rb",
      "a \rb",
      "a \r\r\n",
      "a \r\n\r\n",
      "a\r\n \r\n\r\nb",
      " \t lead\r\n",
      "x\t \t",
      "\r\n\r\n\r\nabc\r\n\r\n",
      "a\r\n\r\n \r\n\t",
      "one two  three   four\t\tfive \t six\r\n",
      line64 + "\r\n" + line64 + " \r\n" + line64 + "  \r\nq\r\n",
      std::string(63, 'a') + " " + std::string(70, ' ') + "b\r\n",
      std::string(63, 'a') + "\r" + "\n" + "b" + std::string(61, 'c') + "\r\n\r\nd",
      std::string(62, 'a') + "\r\n" + " x" + std::string(62, 'a') + "\r\n\r",
      std::string(130, ' ') + "\r\n" + std::string(130, '\t') + "z" + std::string(130, ' '),
      std::string(40, 'a') + "\r\n" + std::string(200, '\n') + "\r\r\r\n\n\r",
  };
}

// random_body - octets drawn mostly from the ones canonicalization cares about.
std::string random_body(std::mt19937& rng, std::size_t size) {
  static constexpr std::string_view kAlphabet = "  \t\r\n\r\nab.\xe9";
  std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
  std::uniform_int_distribution<int> word(0, 9);
  std::string body;
  while (body.size() < size) {
    if (word(rng) < 4) {
      body += std::string(static_cast<std::size_t>(word(rng)) * 3, 'w');  // runs of content
    } else {
      body += kAlphabet[pick(rng)];
    }
  }
  body.resize(size);
  return body;
}

TEST(BodyScan, EdgeCasesAtEveryWidthAndSplit) {
  for (const auto& body : edge_bodies()) check_every_split(body);
}

TEST(BodyScan, RandomBodiesAtEveryWidthAndSplit) {
  std::mt19937 rng(20260514);
  for (int n = 0; n < 60; ++n)
    check_every_split(random_body(rng, 1 + static_cast<std::size_t>(n) * 5));
}

// Bodies longer than the output buffer, in random pieces: flushes land everywhere.
TEST(BodyScan, LongBodiesInRandomPieces) {
  std::mt19937 rng(6376);
  std::vector<std::string> bodies;
  for (int n = 0; n < 4; ++n)
    bodies.push_back(random_body(rng, 70000 + static_cast<std::size_t>(n) * 977));
  bodies.push_back(std::string(40000, '\r') + "x");
  bodies.push_back("x" + std::string(50000, ' ') + "y\r\n");
  std::string lines;
  for (int n = 0; n < 30000; ++n) lines += "\r\n";
  bodies.push_back("x\r\n" + lines + "y" + lines);  // 60 KB of empty lines, then trailing ones
  for (const auto& body : bodies) {
    for (Canon canon : {Canon::simple, Canon::relaxed}) {
      std::string want = sha256(reference(canon, body));
      for (ScanWidth width : scan_widths()) {
        std::vector<std::size_t> cuts;
        std::uniform_int_distribution<std::size_t> step(1, 9000);
        for (std::size_t at = step(rng); at < body.size(); at += step(rng)) cuts.push_back(at);
        EXPECT_EQ(hash_pieces(width, canon, body, {}).digest, want)
            << name(canon) << " " << name(width);
        EXPECT_EQ(hash_pieces(width, canon, body, cuts).digest, want)
            << name(canon) << " " << name(width);
      }
    }
  }
}

// l=: only a prefix of the canonical body is hashed, at every width.
TEST(BodyScan, LengthLimit) {
  std::mt19937 rng(8463);
  for (int n = 0; n < 40; ++n) {
    std::string body = random_body(rng, 20000);
    for (Canon canon : {Canon::simple, Canon::relaxed}) {
      std::string canonical = reference(canon, body);
      std::uint64_t limit =
          std::uniform_int_distribution<std::uint64_t>(0, canonical.size() + 10)(rng);
      std::string want =
          sha256(std::string_view(canonical).substr(0, static_cast<std::size_t>(limit)));
      for (ScanWidth width : scan_widths()) {
        Hashed got =
            hash_pieces(width, canon, body, {static_cast<std::size_t>(limit) % body.size()}, limit);
        EXPECT_EQ(got.digest, want) << name(canon) << " " << name(width) << " l=" << limit;
        EXPECT_EQ(got.length, canonical.size());
      }
    }
  }
}

// The copiers alone, with every amount of room: they never write past it, never take a block
// without kCopierRoom of it, and what they write is the canonical form of what they take,
// which ends with content (so the reference adds only the last line's CRLF).
TEST(BodyScan, CopiersRespectTheirRoom) {
  std::mt19937 rng(3443);
  for (int n = 0; n < 30; ++n) {
    std::string body = "x" + random_body(rng, 300);
    std::string_view input = std::string_view(body).substr(1);  // the copier starts after content
    for (Canon canon : {Canon::simple, Canon::relaxed}) {
      for (ScanWidth width : scan_widths()) {
        for (std::size_t room = 0; room <= 2 * kCopierRoom + 1; ++room) {
          std::vector<char> out(room + 64, '#');
          Copied got = block_copier(canon, width)(input.data(), input.size(), out.data(), room);
          ASSERT_LE(got.out, room);
          for (std::size_t i = room; i < out.size(); ++i)
            ASSERT_EQ(out[i], '#') << "wrote past room " << room;
          ASSERT_LE(got.in, input.size());
          if (room < kCopierRoom) {
            ASSERT_EQ(got.in, 0u);
          }
          if (got.in == 0) continue;
          ASSERT_EQ(std::string(out.data(), got.out) + "\r\n",
                    reference(canon, input.substr(0, got.in)))
              << name(canon) << " " << name(width) << " room " << room << " took " << got.in;
        }
      }
    }
  }
}

}  // namespace
}  // namespace postseal::dkim
