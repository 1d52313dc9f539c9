// spf_bench.cpp - SPF evaluations per second on one core with a warm cache (answers from a
// MemoryZone, no network), native and libspf2 engines, on the bench zone (bench/spf/zone.txt:
// include: of two providers, ip4, mx, -all). The client IPs cycle through a match in the first
// provider, the second provider, ip4, mx and no match (-all), as bench/spf/pyspf_bench.py does.
// Usage: spf_bench [SECONDS_PER_RUN [RUNS]]; prints "ENGINE run N: X evals/s" and
// "ENGINE median: X evals/s" (bench/run_spf.sh reads the medians). Zone: $SPF_BENCH_ZONE or
// the zone.txt beside this source file.
#include "core/dns/zone_file.hpp"
#include "verifier/spf/engine.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

// GCC 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames at -O2.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {

constexpr std::array<const char*, 5> kIps = {"203.0.113.5", "198.18.1.200", "192.0.2.77",
                                             "198.51.100.11", "192.0.3.1"};

std::vector<postseal::spf::SpfQuery> queries() {
  std::vector<postseal::spf::SpfQuery> out;
  for (const char* ip : kIps) {
    postseal::spf::SpfQuery q;
    q.ip = asio::ip::make_address(ip);
    q.sender = "user@example.com";
    q.helo = "mail.example.org";
    q.domain = "example.com";
    out.push_back(q);
  }
  return out;
}

// one_run - evaluations per second over `seconds`, all on this thread.
asio::awaitable<double> one_run(postseal::spf::SpfEngine& engine, postseal::dns::MemoryZone& zone,
                                double seconds) {
  const auto qs = queries();
  const postseal::spf::SpfOptions options;
  const auto start = std::chrono::steady_clock::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  std::size_t n = 0;
  int passes = 0;
  for (auto now = start; now < until; now = std::chrono::steady_clock::now()) {
    for (int k = 0; k < 100; ++k) {
      auto out = co_await engine.check_host(zone, qs[n % qs.size()], options);
      passes += out.result == postseal::spf::SpfResult::pass;
      ++n;
    }
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  if (passes != static_cast<int>(n / qs.size() * 4 + std::min<std::size_t>(n % qs.size(), 4))) {
    std::fprintf(stderr, "spf_bench: %s gave unexpected results\n", std::string(engine.name()).c_str());
    std::exit(1);
  }
  co_return static_cast<double>(n) / took.count();
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  postseal::dns::MemoryZone zone;
  const char* env = std::getenv("SPF_BENCH_ZONE");
  const auto path = env ? std::filesystem::path(env)
                        : std::filesystem::path(__FILE__).parent_path() / "spf" / "zone.txt";
  if (auto ok = postseal::dns::read_zone_file(path, zone); !ok) {
    std::fprintf(stderr, "spf_bench: %s\n", ok.error().c_str());
    return 1;
  }
  for (const char* name : {"native", "libspf2"}) {
    auto engine = postseal::spf::make_engine(name);
    std::vector<double> rates;
    asio::io_context io;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
      for (int r = 0; r < runs; ++r) rates.push_back(co_await one_run(*engine, zone, seconds));
    }, asio::detached);
    io.run();
    for (std::size_t r = 0; r < rates.size(); ++r) std::printf("%s run %zu: %.0f evals/s\n", name, r + 1, rates[r]);
    std::sort(rates.begin(), rates.end());
    std::printf("%s median: %.0f evals/s\n", name, rates[rates.size() / 2]);
  }
  return 0;
}
