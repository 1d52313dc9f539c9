// rfc7208_native_test.cpp - the RFC 7208 suite (203 cases) against the native engine.
// A result list means any of them is acceptable; explanations are checked where given
// ("DEFAULT" means no exp= text, i.e. an empty explanation).
#include "tests/conformance/spf/suite.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <gtest/gtest.h>

#include <algorithm>

namespace postseal::spf {
namespace {

SpfOutcome run(dns::Resolver& zone, const SpfQuery& q) {
  asio::io_context io;
  SpfOutcome out;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await check_host(zone, q); },
                 asio::detached);
  io.run();
  return out;
}

TEST(Rfc7208Native, EveryCase) {
  const auto scenarios = suite::load(POSTSEAL_TEST_DATA "/spf/rfc7208-tests.txt");
  int total = 0;
  int passed = 0;
  for (const auto& s : scenarios) {
    for (const auto& c : s.cases) {
      ++total;
      const SpfOutcome got = run(*s.zone, suite::query_of(c));
      const bool result_ok = std::find(c.results.begin(), c.results.end(), got.result) != c.results.end();
      const std::string want_exp = c.explanation == "DEFAULT" ? "" : c.explanation;
      const bool exp_ok = !c.has_explanation || got.explanation == want_exp;
      EXPECT_TRUE(result_ok) << c.name << " (" << s.description << "): got " << to_string(got.result)
                             << " reason='" << got.reason << "' mechanism='" << got.mechanism << "'";
      EXPECT_TRUE(exp_ok) << c.name << ": explanation '" << got.explanation << "' want '" << want_exp << "'";
      if (result_ok && exp_ok) ++passed;
    }
  }
  EXPECT_EQ(total, 203);
  EXPECT_EQ(passed, total);
  std::printf("RFC 7208 suite, native engine: %d of %d\n", passed, total);
}

}  // namespace
}  // namespace postseal::spf
