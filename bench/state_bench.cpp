// state_bench.cpp - state store operations per second on one thread, the greylisting pattern:
// put_if_absent of a new triplet key, get of it, increment of a per-client counter (one
// "round" = those three calls). Backends: memory, sqlite (a temp file, WAL, synchronous=
// NORMAL, max_entries 1000000) and redis (only when POSTSEAL_BENCH_REDIS=host:port names a
// server; keys under a fresh prefix, left to expire after 60 s).
// Usage: state_bench [SECONDS_PER_RUN [RUNS]]; prints "BACKEND run N: X rounds/s" and
// "BACKEND median: X rounds/s (Y ops/s)".
#include "core/state/memory_store.hpp"
#include "core/state/redis_store.hpp"
#include "core/state/sqlite_store.hpp"
#include "core/util/clock.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace {

using postseal::state::Store;

// one_run - rounds per second over `seconds`; exits on any store error.
double one_run(Store& store, double seconds, std::size_t& serial) {
  const auto start = std::chrono::steady_clock::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  std::size_t rounds = 0;
  for (auto now = start; now < until; now = std::chrono::steady_clock::now()) {
    for (int k = 0; k < 100; ++k, ++rounds, ++serial) {
      std::string key = "gl:t:192.0.2.0/24:sender" + std::to_string(serial) + "@example.org:rcpt";
      std::string client = "gl:c:192.0.2." + std::to_string(serial % 256);
      auto set = store.put_if_absent(key, "1700000000", 60);
      auto got = store.get(key);
      auto n = store.increment(client, 1, 60);
      if (!set || !*set || !got || !*got || !n) {
        std::fprintf(stderr, "state_bench: %s failed\n", store.name().c_str());
        std::exit(1);
      }
    }
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  return static_cast<double>(rounds) / took.count();
}

void bench(const char* label, Store& store, double seconds, int runs) {
  std::vector<double> rates;
  std::size_t serial = 0;
  for (int r = 0; r < runs; ++r) rates.push_back(one_run(store, seconds, serial));
  for (std::size_t r = 0; r < rates.size(); ++r) {
    std::printf("%s run %zu: %.0f rounds/s\n", label, r + 1, rates[r]);
  }
  std::sort(rates.begin(), rates.end());
  double median = rates[rates.size() / 2];
  std::printf("%s median: %.0f rounds/s (%.0f ops/s)\n", label, median, 3 * median);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  postseal::SystemClock clock;
  {
    postseal::state::MemoryStore memory(clock, 1000000);
    bench("memory", memory, seconds, runs);
  }
  {
    std::string dir = (std::filesystem::temp_directory_path() / "postseal-state-bench-XXXXXX");
    if (!mkdtemp(dir.data())) return 1;
    {
      postseal::state::SqliteStore sqlite(dir + "/state.db", clock, 1000000, 200);
      bench("sqlite", sqlite, seconds, runs);
    }
    std::filesystem::remove_all(dir);
  }
  if (const char* env = std::getenv("POSTSEAL_BENCH_REDIS"); env && *env) {
    auto address = postseal::state::parse_redis_address(env);
    if (!address) {
      std::fprintf(stderr, "state_bench: POSTSEAL_BENCH_REDIS=%s: want host:port\n", env);
      return 1;
    }
    postseal::state::RedisOptions o;
    o.address = *address;
    o.key_prefix = "postseal-bench:" + std::to_string(::getpid()) + ":";
    postseal::state::RedisStore redis(o);
    bench("redis", redis, seconds, runs);
  }
  return 0;
}
