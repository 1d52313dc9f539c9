// mime_test.cpp - Content-Type values (RFC 2045 5.1) and multipart bodies (RFC 2046 5.1.1):
// parameters quoted or not, case, what is not the syntax; boundary syntax; delimiter lines
// with transport padding, preamble and epilogue ignored, a part without header, a body cut
// before its close delimiter, and the part limit.
#include "core/mail/mime.hpp"

#include <gtest/gtest.h>

namespace postseal::mail {
namespace {

TEST(ContentType, TypeSubtypeAndParameters) {
  auto t = parse_content_type(
      " Multipart/Report; Report-Type=delivery-status;\r\n\tboundary=\"a \\\"b\\\" c\"");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->type, "multipart");
  EXPECT_EQ(t->subtype, "report");
  EXPECT_TRUE(t->is("multipart/report"));
  EXPECT_TRUE(t->is("MULTIPART/REPORT"));
  EXPECT_FALSE(t->is("multipart"));
  EXPECT_EQ(t->parameter("report-type"), "delivery-status");
  EXPECT_EQ(t->parameter("BOUNDARY"), "a \"b\" c");
  EXPECT_FALSE(t->parameter("charset"));
}

TEST(ContentType, SpacesAroundEqualsAndTrailingSemicolon) {
  auto t = parse_content_type("text/plain ; charset = us-ascii ;");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->parameter("charset"), "us-ascii");
}

TEST(ContentType, NotTheSyntax) {
  for (auto bad : {"", "text", "text/", "/plain", "text/plain; charset", "text/plain; =x",
                   "text/plain; charset=", "text/plain; charset=\"open", "text/plain charset=x",
                   "text/plain; a=b c"})
    EXPECT_FALSE(parse_content_type(bad)) << bad;
}

TEST(ContentType, ParameterLimit) {
  std::string value = "text/plain";
  for (std::size_t i = 0; i < kMaxContentTypeParameters; ++i) value += "; p" + std::to_string(i) + "=1";
  EXPECT_TRUE(parse_content_type(value));
  EXPECT_FALSE(parse_content_type(value + "; one=more"));
}

TEST(Boundary, Syntax) {
  EXPECT_TRUE(valid_boundary("simple boundary"));
  EXPECT_TRUE(valid_boundary("RAA14128.773615765/CS.UTK.EDU"));
  EXPECT_TRUE(valid_boundary(std::string(kMaxBoundaryOctets, 'b')));
  EXPECT_FALSE(valid_boundary(std::string(kMaxBoundaryOctets + 1, 'b')));
  EXPECT_FALSE(valid_boundary(""));
  EXPECT_FALSE(valid_boundary("ends in space "));
  EXPECT_FALSE(valid_boundary("semi;colon"));
}

TEST(Multipart, PartsBetweenDelimiters) {
  const std::string body =
      "preamble\r\n--b\r\n\r\nfirst, no header\r\n--b  \r\nContent-Type: text/plain\r\n\r\n"
      "second\r\n\r\n--b\r\nContent-Type: a/b\r\n\r\n--bnot a delimiter\r\n--b--\r\nepilogue\r\n--b\r\n";
  auto parts = split_multipart(body, "b");
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].header, "");
  EXPECT_EQ((*parts)[0].body, "first, no header");
  EXPECT_EQ((*parts)[1].header, "Content-Type: text/plain\r\n");
  EXPECT_EQ((*parts)[1].body, "second\r\n");  // the CRLF before the delimiter is the delimiter's
  EXPECT_EQ((*parts)[2].body, "--bnot a delimiter");
}

TEST(Multipart, NoCloseDelimiterEndsTheLastPartAtTheEnd) {
  auto parts = split_multipart("--b\r\nContent-Type: a/b\r\n\r\ncut here", "b");
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].body, "cut here");
}

TEST(Multipart, Errors) {
  EXPECT_EQ(split_multipart("no delimiter\r\n", "b").error(), MultipartError::no_delimiter);
  EXPECT_EQ(split_multipart(" --b\r\n", "b").error(), MultipartError::no_delimiter);
  EXPECT_EQ(split_multipart("--b\r\n", "").error(), MultipartError::bad_boundary);
  std::string many;
  for (std::size_t i = 0; i <= kMaxBodyParts; ++i) many += "--b\r\n\r\npart\r\n";
  EXPECT_EQ(split_multipart(many + "--b--\r\n", "b").error(), MultipartError::too_many_parts);
  many.clear();
  for (std::size_t i = 0; i < kMaxBodyParts; ++i) many += "--b\r\n\r\npart\r\n";
  EXPECT_EQ(split_multipart(many + "--b--\r\n", "b")->size(), kMaxBodyParts);
}

}  // namespace
}  // namespace postseal::mail
