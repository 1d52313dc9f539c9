// vectors_test.cpp - the 53 agreed SRS vectors (tests/data/srs/srs_vectors.tsv) and postseal's
// documented choice for the two divergent rows (decisions.tsv), replayed with a fixed clock.
#include "srs/codec.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace postseal::srs {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

std::vector<std::vector<std::string>> read_tsv(const std::string& name) {
  std::ifstream in(std::string(POSTSEAL_TEST_DATA) + "/srs/" + name);
  EXPECT_TRUE(in) << name;
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line))
    if (!line.empty()) rows.push_back(split(line, '\t'));
  return rows;
}

std::string class_of(SrsError e) {
  switch (e) {
    case SrsError::not_srs: return "NOTSRS";
    case SrsError::bad_hash: return "BADHASH";
    case SrsError::expired: return "EXPIRED";
    case SrsError::no_at: return "NOAT";
    case SrsError::too_long: return "TOOLONG";
    case SrsError::control: return "CONTROL";
  }
  return "?";
}

// run - the row's operation, written like the `expected` column.
std::string run(const std::vector<std::string>& row) {
  const auto secrets = split(row[2], ',');
  SrsOptions o;
  o.separator = row[3].at(0);
  o.hash_length = std::stoi(row[4]);
  FixedClock clock(std::stoll(row[5]));
  SrsCodec codec(o, secrets, clock);
  EXPECT_EQ(codec.stamp(), row[7]) << row[0];
  const SrsResult r = row[1] == "forward" ? codec.forward(row[8], row[9]) : codec.reverse(row[8]);
  return r ? "OK:" + *r : "ERR:" + class_of(r.error().error);
}

TEST(SrsVectors, AllAgreedRowsPass) {
  int agreed = 0;
  for (const auto& row : read_tsv("srs_vectors.tsv")) {
    ASSERT_GE(row.size(), 12u);
    if (row[11] != "yes") continue;
    ++agreed;
    EXPECT_EQ(run(row), row[10]) << row[0] << " " << row.back();
  }
  EXPECT_EQ(agreed, 53);
}

TEST(SrsVectors, DivergentRowsFollowTheDocumentedChoice) {
  std::map<std::string, std::string> decided;
  for (const auto& d : read_tsv("decisions.tsv")) decided[d.at(0)] = d.at(1);
  int divergent = 0;
  for (const auto& row : read_tsv("srs_vectors.tsv")) {
    if (row[11] == "yes") continue;
    ++divergent;
    ASSERT_TRUE(decided.contains(row[0])) << row[0] << " has no documented choice";
    EXPECT_EQ(run(row), decided[row[0]]) << row[0];
  }
  EXPECT_EQ(divergent, 2);
}

}  // namespace
}  // namespace postseal::srs
