// header_folder_test.cpp - the one header folder: words, glued pieces and filled values stay
// within kFoldColumns, continuation lines start with the given whitespace, nothing is lost.
#include "core/mail/header_folder.hpp"

#include <gtest/gtest.h>

#include <string>

namespace postseal::mail {
namespace {

// lines - the field split at CRLF (the last, empty piece dropped).
std::vector<std::string> lines(const std::string& field) {
  std::vector<std::string> out;
  for (std::size_t start = 0; start < field.size();) {
    auto end = field.find("\r\n", start);
    out.push_back(field.substr(start, end - start));
    start = end + 2;
  }
  return out;
}

TEST(HeaderFolder, ShortFieldStaysOnOneLine) {
  HeaderFolder f("X-Test", " ");
  f.word("a=1;");
  f.word("b=2;");
  EXPECT_EQ(f.finish(), "X-Test: a=1; b=2;\r\n");
}

TEST(HeaderFolder, WordsPiecesAndFillStayWithinTheLimit) {
  for (std::string continuation : {" ", "\t"}) {
    HeaderFolder f("DKIM-Signature", continuation);
    std::string unfolded = "DKIM-Signature:";
    for (int i = 0; i < 20; ++i) {
      std::string w = "tag" + std::to_string(i) + "=value;";
      f.word(w);
      unfolded += " " + w;
    }
    for (int i = 0; i < 30; ++i) {
      std::string p = "Name-" + std::to_string(i) + ":";
      f.piece(p);
      unfolded += p;
    }
    std::string value(500, 'Q');
    f.break_line();
    f.piece("b=");
    f.fill(value);
    std::string field = f.finish();
    ASSERT_TRUE(field.ends_with("\r\n"));
    auto got = lines(field);
    for (std::size_t n = 0; n < got.size(); ++n) {
      EXPECT_LE(got[n].size(), kFoldColumns) << got[n];
      if (n > 0) {
        EXPECT_TRUE(got[n].starts_with(continuation)) << got[n];
      }
    }
    EXPECT_TRUE(got.back().starts_with(continuation + "Q") || got.back().size() == kFoldColumns);
    // nothing lost: removing the folds gives the pieces back
    std::string joined;
    for (std::size_t n = 0; n < got.size(); ++n) joined += n == 0 ? got[n] : got[n].substr(1);
    EXPECT_NE(joined.find(std::string(500, 'Q')), std::string::npos);
  }
}

TEST(HeaderFolder, OverlongWordIsWrittenWhole) {
  HeaderFolder f("X", " ");
  std::string w(100, 'w');
  f.word(w);
  f.word("next");
  EXPECT_EQ(f.finish(), "X:\r\n " + w + "\r\n next\r\n");
}

}  // namespace
}  // namespace postseal::mail
