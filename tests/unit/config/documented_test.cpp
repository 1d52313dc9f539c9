// documented_test.cpp - conf/postseal.toml documents every declared key, and only those (the
// groups of cli/config_keys.cpp, the list the program itself declares).
//
// The sample shows keys at their defaults as commented lines ("# key = value" with spaces
// around the "=", and "# [section]");
// this test uncomments them, parses the result, checks it against the declarations (no unknown
// key, right types, bounds), and checks that every declared key appears.
#include "cli/config_keys.hpp"
#include "core/util/config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace postseal {
namespace {

const std::string kSample = std::string(POSTSEAL_TEST_DATA) + "/../../conf/postseal.toml";

std::string uncommented_sample() {
  std::ifstream in(kSample);
  EXPECT_TRUE(in.good()) << kSample;
  std::stringstream out;
  // "# key = value" (spaces around '=') or "# [section]": prose such as "# h= ..." is not a key.
  const std::regex commented(R"(^#\s?((\[+[a-z0-9_.]+\]+)|([a-z0-9_]+ = .*))$)");
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    out << (std::regex_match(line, m, commented) ? m[1].str() : line) << '\n';
  }
  return out.str();
}

void collect(const toml::table& t, const std::string& prefix, std::set<std::string>& out) {
  for (const auto& [k, v] : t) {
    std::string path = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    out.insert(path);
    if (const auto* sub = v.as_table()) collect(*sub, path, out);
    if (v.is_array_of_tables())
      for (const auto& e : *v.as_array()) collect(*e.as_table(), path + "[]", out);
  }
}

TEST(SampleConfig, DocumentsEveryDeclaredKey) {
  cli::declare_all_config_keys();
  const std::string text = uncommented_sample();
  toml::table root;
  ASSERT_NO_THROW(root = toml::parse(text, kSample));
  for (const auto& p : config::problems(root, kSample)) ADD_FAILURE() << p;
  std::set<std::string> present;
  collect(root, "", present);
  for (const auto& key : config::declared())
    EXPECT_TRUE(present.contains(std::string(key.path)))
        << "conf/postseal.toml does not document " << key.path << " (" << key.help << ")";
}

}  // namespace
}  // namespace postseal
