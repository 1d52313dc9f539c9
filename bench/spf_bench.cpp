// spf_bench.cpp - SPF evaluations per second on one core with a warm cache (answers from a
// MemoryZone, no network), native and libspf2 engines, on the bench zone (bench/spf/zone.txt:
// include: of two providers, ip4, mx, -all). The client IPs cycle through a match in the first
// provider, the second provider, ip4, mx and no match (-all), as bench/spf/pyspf_bench.py does.
#include "core/dns/zone_file.hpp"
#include "verifier/spf/engine.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <benchmark/benchmark.h>

#include <array>
#include <cstdlib>
#include <filesystem>

// GCC 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames at -O2.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {

constexpr std::array<const char*, 5> kIps = {"203.0.113.5", "198.18.1.200", "192.0.2.77",
                                             "198.51.100.11", "192.0.3.1"};

postseal::dns::MemoryZone& zone() {
  static postseal::dns::MemoryZone m;
  static const bool filled = [] {
    const char* env = std::getenv("SPF_BENCH_ZONE");
    const auto path = env ? std::filesystem::path(env)
                          : std::filesystem::path(__FILE__).parent_path() / "spf" / "zone.txt";
    auto ok = postseal::dns::read_zone_file(path, m);
    if (!ok) std::abort();
    return true;
  }();
  (void)filled;
  return m;
}

void evaluate(benchmark::State& state, std::string_view engine_name) {
  auto engine = postseal::spf::make_engine(engine_name);
  std::vector<postseal::spf::SpfQuery> queries;
  for (const char* ip : kIps) {
    postseal::spf::SpfQuery q;
    q.ip = asio::ip::make_address(ip);
    q.sender = "user@example.com";
    q.helo = "mail.example.org";
    q.domain = "example.com";
    queries.push_back(q);
  }
  const postseal::spf::SpfOptions options;
  asio::io_context io;
  std::size_t i = 0;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    for (auto _ : state) {
      auto out = co_await engine->check_host(zone(), queries[i++ % queries.size()], options);
      benchmark::DoNotOptimize(out.result);
    }
  }, asio::detached);
  io.run();
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_SpfNative(benchmark::State& state) { evaluate(state, "native"); }
void BM_SpfLibspf2(benchmark::State& state) { evaluate(state, "libspf2"); }
BENCHMARK(BM_SpfNative);
BENCHMARK(BM_SpfLibspf2);

}  // namespace

BENCHMARK_MAIN();
