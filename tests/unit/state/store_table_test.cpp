// store_table_test.cpp - the case table (store_cases.hpp) against every backend: memory and
// SQLite always, Redis when POSTSEAL_TEST_REDIS is set (integration label); identical answers.
// Also: concurrent increments from several threads lose nothing (every backend).
#include "store_cases.hpp"
#include "test_backends.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace postseal::state::test {
namespace {

std::string render_error(StoreError e) { return "error: " + std::string(to_string(e)); }

template <typename T>
std::string render(const Result<T>& r, auto&& show) {
  if (!r) return render_error(r.error());
  return show(*r);
}

// run - one step against `b`; the answer rendered as store_cases.hpp says.
std::string run(Backend& b, const Step& s) {
  Store& st = *b.store;
  auto limit = static_cast<std::size_t>(s.n);
  auto entries = [](std::vector<std::pair<std::string, std::string>> v) {
    std::sort(v.begin(), v.end());
    std::vector<std::string> items;
    for (const auto& [k, val] : v) items.push_back(k + "=" + val);
    return fmt::format("{}", fmt::join(items, " "));
  };
  auto boolean = [](bool v) { return std::string(v ? "true" : "false"); };
  auto number = [](auto v) { return std::to_string(v); };
  switch (s.op) {
    case Op::get:
      return render(st.get(s.key), [](const std::optional<std::string>& v) {
        return v ? "=" + *v : std::string("nil");
      });
    case Op::put:
      if (auto r = st.put(s.key, s.value, s.n); !r) return render_error(r.error());
      return "ok";
    case Op::put_if_absent: return render(st.put_if_absent(s.key, s.value, s.n), boolean);
    case Op::put_if_absent_or_get:
      return render(st.put_if_absent_or_get(s.key, s.value, s.n), [](const Claim& c) {
        if (c.set) return std::string("set");
        return c.existing ? "=" + *c.existing : std::string("nil");
      });
    case Op::increment: return render(st.increment(s.key, s.n, s.ttl), number);
    case Op::erase: return render(st.erase(s.key), boolean);
    case Op::scan: return render(st.scan(s.key, limit), entries);
    case Op::scan_size:
      return render(st.scan(s.key, limit),
                    [](const auto& v) { return "#" + std::to_string(v.size()); });
    case Op::count: return render(st.count(s.key), number);
    case Op::expire: return render(st.expire(), number);
    case Op::advance:
      if (b.real_time) {
        std::this_thread::sleep_for(std::chrono::seconds(s.n));
      } else {
        b.clock.advance(s.n);
      }
      return "";
  }
  return "?";
}

using Param = std::tuple<std::string, Case>;

class StoreTable : public ::testing::TestWithParam<Param> {};

TEST_P(StoreTable, AnswersAsTheTableSays) {
  const auto& [kind, c] = GetParam();
  if (kind == "redis" && c.embedded_only) GTEST_SKIP() << "embedded backends only";
  auto backend = Backend::make(kind, c.max_entries, c.name);
  if (!backend) GTEST_SKIP() << "POSTSEAL_TEST_REDIS not set";
  for (std::size_t i = 0; i < c.steps.size(); ++i) {
    const Step& s = c.steps[i];
    std::string got = run(*backend, s);
    if (s.op == Op::advance) continue;
    EXPECT_EQ(got, s.want) << c.name << " step " << i << " key \"" << s.key.substr(0, 20)
                           << "\" on " << backend->store->name();
  }
}

class StoreBackend : public ::testing::TestWithParam<std::string> {};

TEST_P(StoreBackend, ConcurrentIncrementsLoseNothing) {
  const std::string& kind = GetParam();
  auto backend = Backend::make(kind, 1000, "concurrent");
  if (!backend) GTEST_SKIP() << "POSTSEAL_TEST_REDIS not set";
  constexpr int kThreads = 4, kEach = 250;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        if (!backend->store->increment("n", 1, 60)) ++failures;
        if (!backend->store->put_if_absent("once", "x", 60)) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(run(*backend, Get("n", "")), "=" + std::to_string(kThreads * kEach));
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  return std::get<0>(info.param) + "_" + std::get<1>(info.param).name;
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreBackend, ::testing::Values("memory", "sqlite", "redis"),
                         [](const auto& info) { return info.param; });

INSTANTIATE_TEST_SUITE_P(Backends, StoreTable,
                         ::testing::Combine(::testing::Values("memory", "sqlite", "redis"),
                                            ::testing::ValuesIn(store_cases())),
                         param_name);

}  // namespace
}  // namespace postseal::state::test
