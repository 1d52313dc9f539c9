// metrics_bench.cpp - what one metrics event costs on the thread that counts it, and what one
// scrape costs (core/metrics/): the figures bench/run_metrics.sh sets beside the daemons' CPU
// time per message, where noise from a shared machine hides anything under a few percent.
// Usage: metrics_bench [ITERATIONS]; prints "EVENT: N ns" (thread CPU time per call, median of
// 5 runs) for counting off and on (a stage timer: its two clock reads and one observation),
// and "scrape: N us" for one text exposition of every family.
#include "core/metrics/events.hpp"
#include "core/metrics/registry.hpp"
#include "core/metrics/stage.hpp"

#include <prometheus/text_serializer.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace {

double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// per_call_ns - thread CPU ns per call of `f`, median of 5 runs of `n` calls.
double per_call_ns(long n, const std::function<void()>& f) {
  std::vector<double> runs;
  for (int r = 0; r < 5; ++r) {
    const double t0 = thread_cpu_ns();
    for (long i = 0; i < n; ++i) f();
    runs.push_back((thread_cpu_ns() - t0) / static_cast<double>(n));
  }
  std::sort(runs.begin(), runs.end());
  return runs[2];
}

void events(const char* state, long n) {
  namespace m = postseal::metrics;
  std::printf("%s: count_signed(configured): %.1f ns\n", state,
              per_call_ns(n, [] { m::count_signed("bench.example", "signed"); }));
  std::printf("%s: count_signed(other): %.1f ns\n", state,
              per_call_ns(n, [] { m::count_signed("stranger.example", "unsigned"); }));
  std::printf("%s: count_policy_answer: %.1f ns\n", state,
              per_call_ns(n, [] { m::count_policy_answer("action=PREPEND Received-SPF: pass\n\n"); }));
  std::printf("%s: count_spf: %.1f ns\n", state, per_call_ns(n, [] { m::count_spf("pass"); }));
  std::printf("%s: count_dns_lookup: %.1f ns\n", state,
              per_call_ns(n, [] { m::count_dns_lookup("NOERROR", std::chrono::microseconds(300)); }));
  std::printf("%s: session started+ended: %.1f ns\n", state, per_call_ns(n, [] {
                m::session_started("policy");
                m::session_ended("policy");
              }));
  std::printf("%s: stage timer: %.1f ns\n", state,
              per_call_ns(n, [] { m::StageTimer timer(m::Stage::spf); }));
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 1000000;
  postseal::metrics::set_signing_domains({"bench.example"});
  events("off", n);
  postseal::metrics::enable();
  events("on", n);
  prometheus::TextSerializer serializer;
  std::size_t octets = 0;
  const double scrape = per_call_ns(200, [&] {
    octets = serializer.Serialize(postseal::metrics::registry().Collect()).size();
  });
  std::printf("scrape: %.1f us (%zu octets)\n", scrape / 1000, octets);
  return 0;
}
