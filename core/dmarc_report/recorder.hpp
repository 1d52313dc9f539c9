// recorder.hpp - counting each DMARC-evaluated message for the aggregate report of its
// policy domain and day (RFC 9990 2.1: one record per distinct row, with a message count).
//
// Called by the milter and the before-queue proxy after evaluation (verifier/dmarc_record).
// Uses only the state::Store interface, so the embedded SQLite file and a Redis shared by
// several MX hosts both work; several hosts counting into one Redis give one summed report.
// Per message: one read (the policy key) and one counter increment; a new row or a new
// domain costs a few writes more. Batched (Limits::flush_interval > 0, what the daemons use):
// a row this process has counted before costs no store call; its messages are added up in
// memory (count_batch.hpp) and written by a background thread every flush_interval and when
// the recorder ends, so a report run sees them up to flush_interval late and a crash loses
// at most that long's counts. A store failure never affects the message: the message is
// counted as lost (Stats) and the outage logged once, until the store answers again (as
// greylisting does, DESIGN "State store"). Untrusted input: the Row and PolicyPublished
// values (bounded by row.hpp). Limits: Limits::max_rows rows per domain and period
// (dmarc.report_max_rows), Limits::max_domains policy domains per period
// (dmarc.report_max_domains); messages over a limit are counted per domain (dmarc:x) and
// logged by the report run. Entries expire kRetentionDays after their period.
#pragma once

#include "core/dmarc/options.hpp"
#include "core/dmarc_report/count_batch.hpp"
#include "core/dmarc_report/period.hpp"
#include "core/dmarc_report/row.hpp"
#include "core/state/store.hpp"
#include "core/state/worker_thread.hpp"
#include "core/util/clock.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace postseal::dmarc_report {

// kDefaultMaxRows - rows per policy domain and period (dmarc.report_max_rows).
inline constexpr std::size_t kDefaultMaxRows = dmarc::kDefaultReportMaxRows;
// kDefaultMaxDomains - policy domains recorded per period (dmarc.report_max_domains).
inline constexpr std::size_t kDefaultMaxDomains = dmarc::kDefaultReportMaxDomains;
// Both limits' upper bound: a report run reads them back with one store scan each.
static_assert(dmarc::kMaxReportEntries <= static_cast<std::int64_t>(state::kMaxScanEntries));
// kRetentionDays - report data is kept this long after its period ends (missed runs catch up).
inline constexpr std::int64_t kRetentionDays = 7;
// kFlushInterval - how often the daemons' recorders write the counts they added up.
inline constexpr std::chrono::milliseconds kFlushInterval{1000};

// Limits - the bounds of one recorder.
struct Limits {
  std::size_t max_rows = kDefaultMaxRows;
  std::size_t max_domains = kDefaultMaxDomains;
  // flush_interval - 0: every message is written at once; else known rows' counts are
  // written this often (see above).
  std::chrono::milliseconds flush_interval{0};
};

// Recorded - what became of one message.
enum class Recorded {
  counted,       // added to its row
  row_limit,     // a new row for a domain that has max_rows already: not counted
  domain_limit,  // a new policy domain beyond max_domains: not counted
  too_large,     // the row's encoding is over state::kMaxValueOctets: not counted
  store_failed,  // the store did not answer: not counted (fail open)
};
std::string_view to_string(Recorded r);

// retention_ttl - the TTL of an entry of `period` written at `now`.
std::int64_t retention_ttl(const Period& period, std::int64_t now);

// Recorder - counts messages into the store. Thread-safe (the store is).
class Recorder {
 public:
  // Stats - messages written to the store (counted) or not (lost, including batched counts
  // whose write failed), and outages.
  struct Stats {
    std::atomic<std::uint64_t> counted{0}, lost{0}, outages{0};
  };

  Recorder(state::Store& store, const Clock& clock, Limits limits);
  // ~Recorder - stops the flush thread and writes what is pending.
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // record - count one message with `row` for `policy.domain` in the current period
  // (batched: `counted` may mean "added up, to be written by the next flush").
  Recorded record(const PolicyPublished& policy, const Row& row);
  // flush - write the counts added up so far (the flush thread calls it; tests too).
  void flush();

  const Stats& stats() const { return stats_; }
  const Limits& limits() const { return limits_; }
  state::Store& store() { return store_; }

 private:
  state::Result<Recorded> count_domain(const Period& period, const PolicyPublished& policy,
                                       std::int64_t ttl);
  state::Result<Recorded> count_row(const Period& period, const std::string& domain,
                                    const std::string& encoded, const std::string& digest,
                                    std::int64_t ttl);
  void note_failure(state::StoreError e);
  void note_success();

  state::Store& store_;
  const Clock& clock_;
  Limits limits_;
  Stats stats_;
  std::atomic<bool> in_outage_{false};
  CountBatch batch_;
  std::optional<state::WorkerThread> flusher_;  // last: stopped before the rest goes
};

}  // namespace postseal::dmarc_report
