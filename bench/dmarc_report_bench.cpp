// dmarc_report_bench.cpp - fill a state store with DMARC report data for bench/run_dmarc_report.sh:
// MESSAGES messages spread over ROWS distinct rows of one policy domain (example.com) on the UTC
// day of now, counted through the Recorder: `batched` (the default) as the milter and the proxy
// do (a row's first message goes to the store, the next ones are added up and written once a
// second, recorder.hpp), `sync` a get and an increment per message (each row's messages then
// reach the store at once). Prints the store cost per message, the flush included. Usage:
//   dmarc_report_bench SQLITE_FILE MESSAGES ROWS [batched|sync]
#include "core/dmarc_report/recorder.hpp"
#include "core/state/sqlite_store.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

using namespace postseal;

int main(int argc, char** argv) {
  const std::string mode = argc == 5 ? argv[4] : "batched";
  if ((argc != 4 && argc != 5) || (mode != "batched" && mode != "sync")) {
    std::fprintf(stderr, "usage: dmarc_report_bench SQLITE_FILE MESSAGES ROWS [batched|sync]\n");
    return 64;
  }
  const long messages = std::atol(argv[2]), rows = std::atol(argv[3]);
  SystemClock clock;
  state::SqliteStore store(argv[1], clock, 10'000'000, 5000);
  const auto flush = mode == "batched" ? dmarc_report::kFlushInterval : std::chrono::milliseconds(0);
  std::optional<dmarc_report::Recorder> recorder;
  recorder.emplace(store, clock,
                   dmarc_report::Limits{.max_rows = static_cast<std::size_t>(rows),
                                        .max_domains = 10,
                                        .flush_interval = flush});
  dmarc_report::PolicyPublished policy{
      "example.com", "reject", "",  "",         "r",
      "r",           "n",      "u", "treewalk", {"mailto:dmarc@example.com"}};
  dmarc_report::Row row{"",
                        "example.com",
                        "example.com",
                        "example.com",
                        "mfrom",
                        "pass",
                        {{"example.com", "s2026", "pass"}},
                        "pass",
                        true,
                        true,
                        ""};
  const auto start = std::chrono::steady_clock::now();
  long lost = 0;
  for (long i = 0; i < messages; ++i) {
    const long n = i % rows;  // rows 0..ROWS-1 in turn: every row gets MESSAGES/ROWS messages
    row.source_ip = "10." + std::to_string(n >> 16 & 255) + "." + std::to_string(n >> 8 & 255) +
                    "." + std::to_string(n & 255);
    if (recorder->record(policy, row) != dmarc_report::Recorded::counted) ++lost;
  }
  recorder.reset();  // the last flush
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "recorded %ld messages over %ld rows in %.1f s: %.1f us per message (SQLite, %s), %ld "
      "not counted\n",
      messages, rows, seconds, seconds * 1e6 / static_cast<double>(messages), mode.c_str(), lost);
  return lost == 0 ? 0 : 1;
}
