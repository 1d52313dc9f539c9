// dmarc_bench.cpp - DMARC evaluations per second and CPU per evaluation on one core, answers
// from memory (a MemoryZone, no network), one fresh Discovery per evaluation as the verifier
// has per message (so no answer is reused between messages). bench/run_dmarc.sh runs it
// beside OpenDMARC's library on the same records and cases (tests/interop/dmarc/).
// Usage: dmarc_bench ZONE CASES ROUNDS treewalk|psl
//   ZONE   records in --dns-zone format (core/dns/zone_file.hpp)
//   CASES  lines "ID FROM SPF_DOMAIN SPF_RESULT DKIM_DOMAIN DKIM_RESULT ..." ("-": none);
//          lines starting with "#" skipped
// Prints "evaluations N cpu_s S wall_s W pass P fail F other O".
#include "core/dmarc/evaluate.hpp"
#include "core/dmarc/public_suffix.hpp"
#include "core/dns/zone_file.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

// GCC 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames at -O2.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {

using namespace postseal;

struct Counts {
  std::size_t evaluations = 0, pass = 0, fail = 0, other = 0;
};

std::vector<dmarc::Message> read_cases(const char* path) {
  std::vector<dmarc::Message> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string id, from, spf_domain, spf_result, dkim_domain, dkim_result;
    if (!(fields >> id >> from >> spf_domain >> spf_result >> dkim_domain >> dkim_result)) continue;
    dmarc::Message m;
    m.from_fields = {"user@" + from};
    if (spf_domain != "-") {
      m.spf_domain = spf_domain;
      m.spf_pass = spf_result == "pass";
    }
    if (dkim_domain != "-") m.dkim.push_back({dkim_domain, "s1", dkim_result == "pass"});
    out.push_back(std::move(m));
  }
  return out;
}

asio::awaitable<Counts> run(dns::MemoryZone& zone, const std::vector<dmarc::Message>& cases,
                            long rounds, dmarc::Mode mode, const dmarc::PublicSuffixList* psl) {
  Counts c;
  const dmarc::Options options;
  for (long r = 0; r < rounds; ++r) {
    zone.clear_queries();  // MemoryZone logs every query (for tests); keep the log short
    for (const auto& m : cases) {
      dmarc::Discovery discovery(zone, mode, psl);
      dmarc::Verdict v = co_await dmarc::evaluate(m, options, discovery);
      ++c.evaluations;
      if (v.result == dmarc::Result::pass) ++c.pass;
      else if (v.result == dmarc::Result::fail) ++c.fail;
      else ++c.other;
    }
  }
  co_return c;
}

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: dmarc_bench ZONE CASES ROUNDS treewalk|psl\n");
    return 2;
  }
  dns::MemoryZone zone;
  if (auto ok = dns::read_zone_file(argv[1], zone); !ok) {
    std::fprintf(stderr, "dmarc_bench: %s\n", ok.error().c_str());
    return 2;
  }
  auto cases = read_cases(argv[2]);
  long rounds = std::atol(argv[3]);
  auto mode = dmarc::mode_from_string(argv[4]);
  if (cases.empty() || rounds <= 0 || !mode) {
    std::fprintf(stderr, "dmarc_bench: no cases, bad ROUNDS or bad mode\n");
    return 2;
  }
  std::optional<dmarc::PublicSuffixList> psl;
  if (*mode == dmarc::Mode::psl) {
    auto loaded = dmarc::PublicSuffixList::load(dmarc::kDebianPublicSuffixList);
    if (!loaded) {
      std::fprintf(stderr, "dmarc_bench: %s\n", loaded.error().c_str());
      return 2;
    }
    psl = std::move(*loaded);
  }
  asio::io_context io;
  Counts counts;
  double cpu0 = cpu_seconds();
  auto wall0 = std::chrono::steady_clock::now();
  asio::co_spawn(io, run(zone, cases, rounds, *mode, psl ? &*psl : nullptr),
                 [&](std::exception_ptr e, Counts c) {
                   if (e) std::rethrow_exception(e);
                   counts = c;
                 });
  io.run();
  double cpu = cpu_seconds() - cpu0;
  std::chrono::duration<double> wall = std::chrono::steady_clock::now() - wall0;
  std::printf("evaluations %zu cpu_s %.6f wall_s %.6f pass %zu fail %zu other %zu\n",
              counts.evaluations, cpu, wall.count(), counts.pass, counts.fail, counts.other);
  return 0;
}
