// canonicalize_test.cpp - RFC 6376 3.4 tables for header and body canonicalization, and
// chunked body hashing equal to one-pass hashing for every split point (docs/security.md 17, 19).
#include "core/dkim/canonicalize.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <random>
#include <string>

namespace postseal::dkim {
namespace {

std::string sha256(std::string_view s) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  return std::string(reinterpret_cast<const char*>(d), sizeof d);
}

std::string hash_chunks(Canon c, const std::vector<std::string_view>& chunks) {
  BodyHasher h(c, EVP_sha256());
  for (auto piece : chunks) h.update(piece);
  return h.finish();
}

const char* name(Canon c) { return c == Canon::simple ? "simple" : "relaxed"; }

struct BodyCase {
  Canon canon;
  std::string in, want;
};

const std::string kLong(998, 'x');

std::vector<BodyCase> body_cases() {
  return {
      // 3.4.3 simple
      {Canon::simple, "", "\r\n"},
      {Canon::simple, "\r\n", "\r\n"},
      {Canon::simple, "\r\n\r\n", "\r\n"},
      {Canon::simple, "abc", "abc\r\n"},
      {Canon::simple, "abc\r\n\r\n\r\n", "abc\r\n"},
      {Canon::simple, "a  b \t\r\n", "a  b \t\r\n"},
      {Canon::simple, "\r\n\r\nabc\r\n", "\r\n\r\nabc\r\n"},
      {Canon::simple, "a\rb\r\n", "a\rb\r\n"},
      {Canon::simple, "abc\r", "abc\r\r\n"},
      {Canon::simple, ".dot\r\n..two\r\n", ".dot\r\n..two\r\n"},
      {Canon::simple, "8bit \xe9\xff\r\n", "8bit \xe9\xff\r\n"},
      {Canon::simple, " \r\n", " \r\n"},
      {Canon::simple, kLong + "\r\n" + kLong, kLong + "\r\n" + kLong + "\r\n"},
      // 3.4.4 relaxed
      {Canon::relaxed, "", ""},
      {Canon::relaxed, "\r\n", ""},
      {Canon::relaxed, "\r\n\r\n", ""},
      {Canon::relaxed, " \r\n\t\r\n", ""},
      {Canon::relaxed, " \t ", ""},
      {Canon::relaxed, "abc", "abc\r\n"},
      {Canon::relaxed, "a  b\t\tc \t \r\n", "a b c\r\n"},
      {Canon::relaxed, "  lead\r\n", " lead\r\n"},
      {Canon::relaxed, "abc\r\n \r\n\r\n", "abc\r\n"},
      {Canon::relaxed, "a\r\n\r\nb\r\n\r\n", "a\r\n\r\nb\r\n"},
      {Canon::relaxed, "a \r\n \r\nb\r\n", "a\r\n\r\nb\r\n"},
      {Canon::relaxed, "x\t \t", "x\r\n"},
      {Canon::relaxed, "abc \r", "abc \r\r\n"},
      {Canon::relaxed, "a \rb\r\n", "a \rb\r\n"},
      {Canon::relaxed, ".dot  x\r\n", ".dot x\r\n"},
      {Canon::relaxed, "caf\xc3\xa9  \xff\t\r\n", "caf\xc3\xa9 \xff\r\n"},
      {Canon::relaxed, "one two  three   four    five     six      seven\r\n",
       "one two three four five six seven\r\n"},
      {Canon::relaxed, kLong + "    \r\n" + kLong + "   " + kLong, kLong + "\r\n" + kLong + " " + kLong + "\r\n"},
  };
}

TEST(BodyCanonicalization, Table) {
  for (const auto& c : body_cases()) {
    EXPECT_EQ(hash_chunks(c.canon, {c.in}), sha256(c.want)) << name(c.canon) << " [" << c.in.substr(0, 40) << "]";
  }
}

// docs/security.md 19: two pieces at every split point, and one octet at a time.
TEST(BodyCanonicalization, ChunkedEqualsOnePassForEverySplit) {
  for (const auto& c : body_cases()) {
    if (c.in.size() > 64) continue;
    std::string want = sha256(c.want);
    std::string_view in = c.in;
    for (std::size_t i = 0; i <= in.size(); ++i) {
      for (std::size_t j = i; j <= in.size(); ++j) {
        EXPECT_EQ(hash_chunks(c.canon, {in.substr(0, i), in.substr(i, j - i), in.substr(j)}), want)
            << name(c.canon) << " split " << i << "," << j;
      }
    }
  }
}

// A long body with every hard case, split everywhere (exercises the 16-octet scanner).
TEST(BodyCanonicalization, LongBodyEverySplitPoint) {
  std::string body;
  for (int i = 0; i < 12; ++i) {
    body += "word  word\t\tword \t \r\n \r\n\r\n.dot line\r\nbare\rcr\r\n\xe9\xe8 8bit  \r\n";
    body += std::string(static_cast<std::size_t>(i * 3), ' ') + "x" + std::string(static_cast<std::size_t>(i), '\t') + "\r\n";
  }
  body += "\r\n\r\n \r\n";
  for (Canon canon : {Canon::simple, Canon::relaxed}) {
    std::string want = hash_chunks(canon, {body});
    std::string_view in = body;
    for (std::size_t i = 0; i <= in.size(); ++i) {
      ASSERT_EQ(hash_chunks(canon, {in.substr(0, i), in.substr(i)}), want) << name(canon) << " split " << i;
    }
    std::vector<std::string_view> octets;
    for (std::size_t i = 0; i < in.size(); ++i) octets.push_back(in.substr(i, 1));
    EXPECT_EQ(hash_chunks(canon, octets), want) << name(canon) << " one octet at a time";
  }
}

TEST(BodyCanonicalization, LengthLimitHashesAPrefix) {
  BodyHasher h(Canon::relaxed, EVP_sha256(), 5);
  h.update("abc  def\r\n\r\n");
  EXPECT_EQ(h.finish(), sha256("abc d"));
  EXPECT_EQ(h.canonical_length(), 9u);  // "abc def\r\n"
}

struct HeaderCase {
  Canon canon;
  std::string raw, want;
};

TEST(HeaderCanonicalization, Table) {
  const HeaderCase cases[] = {
      {Canon::simple, "Subject:  Hi \r\n\tthere ", "Subject:  Hi \r\n\tthere \r\n"},
      {Canon::simple, "SUBJECT: x", "SUBJECT: x\r\n"},
      {Canon::relaxed, "SubJect :  Hi \r\n\tthere  ", "subject:Hi there\r\n"},
      {Canon::relaxed, "X-A:\r\n x", "x-a:x\r\n"},
      {Canon::relaxed, "To: a@b,\r\n  c@d", "to:a@b, c@d\r\n"},
      {Canon::relaxed, "X: ", "x:\r\n"},
      {Canon::relaxed, "X:\t\xe9t\xe9  \xff", "x:\xe9t\xe9 \xff\r\n"},
      {Canon::relaxed, "Subject: a:b : c", "subject:a:b : c\r\n"},
  };
  for (const auto& c : cases) EXPECT_EQ(canonicalize_header(c.canon, c.raw), c.want) << c.raw;
}

// reference_relaxed_header - RFC 6376 3.4.2 one rule at a time: name lower-cased, WSP before
// the colon gone; value unfolded (every CRLF dropped in one pass), WSP runs made one SP, WSP
// at both ends gone.
std::string reference_relaxed_header(std::string_view raw) {
  std::size_t colon = raw.find(':');
  std::string name(raw.substr(0, colon));
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
  for (auto& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  std::string_view folded = colon == std::string_view::npos ? std::string_view() : raw.substr(colon + 1);
  std::string value;  // each CRLF of the field dropped, left to right
  for (std::size_t i = 0; i < folded.size(); ++i) {
    if (folded.substr(i, 2) == "\r\n") {
      ++i;
    } else {
      value += folded[i];
    }
  }
  std::string out;
  for (char c : value) {
    bool wsp = c == ' ' || c == '\t';
    if (wsp && (out.empty() || out.back() == ' ')) continue;
    out += wsp ? ' ' : c;
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return name + ":" + out + "\r\n";
}

// The relaxed header canonicalizer (runs of ordinary octets appended whole) against the
// reference, on seeded random fields.
TEST(HeaderCanonicalization, RelaxedMatchesReference) {
  std::mt19937 rng(6376);
  static constexpr std::string_view kAlphabet = "  \t\r\n\r\nabAB:;\xe9";
  std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1), size(0, 80);
  for (int n = 0; n < 3000; ++n) {
    std::string raw = "X-Test";
    for (std::size_t k = size(rng); k > 0; --k) raw += kAlphabet[pick(rng)];
    EXPECT_EQ(canonicalize_header(Canon::relaxed, raw), reference_relaxed_header(raw)) << raw;
  }
}

}  // namespace
}  // namespace postseal::dkim
