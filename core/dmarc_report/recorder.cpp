// recorder.cpp - counting messages for aggregate reports (see recorder.hpp).
#include "core/dmarc_report/recorder.hpp"

#include "core/dmarc_report/store_keys.hpp"
#include "core/util/log.hpp"

namespace postseal::dmarc_report {

std::string_view to_string(Recorded r) {
  switch (r) {
    case Recorded::counted: return "counted";
    case Recorded::row_limit: return "row limit";
    case Recorded::domain_limit: return "domain limit";
    case Recorded::too_large: return "row too large";
    case Recorded::store_failed: return "store failed";
  }
  return "?";
}

std::int64_t retention_ttl(const Period& period, std::int64_t now) {
  std::int64_t left = period.end() - now;
  return (left > 0 ? left : 0) + kRetentionDays * kSecondsPerDay;
}

Recorder::Recorder(state::Store& store, const Clock& clock, Limits limits)
    : store_(store), clock_(clock), limits_(limits) {
  if (limits_.flush_interval.count() > 0)
    flusher_.emplace([this] { flush(); }, limits_.flush_interval);
}

Recorder::~Recorder() {
  if (!flusher_) return;
  flusher_->stop();
  flush();
}

Recorded Recorder::record(const PolicyPublished& policy, const Row& row) {
  const std::int64_t now = clock_.now();
  const Period period = period_of(now);
  const std::int64_t ttl = retention_ttl(period, now);
  const std::string encoded = encode_row(row);
  const std::string d = digest(encoded);
  const std::string count_key = keys::count(period, policy.domain, d);
  if (flusher_ && batch_.add(count_key, ttl)) return Recorded::counted;
  auto domain = count_domain(period, policy, ttl);
  auto outcome = domain && *domain == Recorded::counted
                     ? count_row(period, policy.domain, encoded, d, ttl)
                     : domain;
  if (!outcome) {
    note_failure(outcome.error());
    stats_.lost.fetch_add(1, std::memory_order_relaxed);
    return Recorded::store_failed;
  }
  note_success();
  if (*outcome != Recorded::counted) {
    stats_.lost.fetch_add(1, std::memory_order_relaxed);
    return *outcome;
  }
  stats_.counted.fetch_add(1, std::memory_order_relaxed);
  if (flusher_) batch_.learn(count_key);
  return *outcome;
}

void Recorder::flush() {
  for (const auto& pending : batch_.take()) {
    auto n = store_.increment(pending.key, pending.messages, pending.ttl);
    auto messages = static_cast<std::uint64_t>(pending.messages);
    if (!n) {
      note_failure(n.error());
      stats_.lost.fetch_add(messages, std::memory_order_relaxed);
      continue;
    }
    note_success();
    stats_.counted.fetch_add(messages, std::memory_order_relaxed);
  }
}

// count_domain - the policy of a domain seen first this period is stored, unless the
// period has max_domains already.
state::Result<Recorded> Recorder::count_domain(const Period& period, const PolicyPublished& policy,
                                               std::int64_t ttl) {
  const auto key = keys::policy(period, policy.domain);
  auto known = store_.get(key);
  if (!known) return std::unexpected(known.error());
  if (*known) return Recorded::counted;
  auto first = store_.put_if_absent(key, encode_policy(policy), ttl);
  if (!first) return std::unexpected(first.error());
  if (!*first) return Recorded::counted;  // another host (or thread) stored it just now
  auto domains = store_.increment(keys::domains_started(period), 1, ttl);
  if (!domains) return std::unexpected(domains.error());
  if (static_cast<std::uint64_t>(*domains) <= limits_.max_domains) return Recorded::counted;
  if (auto gone = store_.erase(key); !gone) return std::unexpected(gone.error());
  return Recorded::domain_limit;
}

// count_row - add one to the row's counter; a new row is described, unless the domain
// has max_rows already (then the message is counted as dropped).
state::Result<Recorded> Recorder::count_row(const Period& period, const std::string& domain,
                                            const std::string& encoded, const std::string& d,
                                            std::int64_t ttl) {
  if (encoded.size() > state::kMaxValueOctets) return Recorded::too_large;
  const auto count_key = keys::count(period, domain, d);
  auto n = store_.increment(count_key, 1, ttl);
  if (!n) return std::unexpected(n.error());
  if (*n != 1) return Recorded::counted;
  auto rows = store_.increment(keys::rows_started(period, domain), 1, ttl);
  if (!rows) return std::unexpected(rows.error());
  if (static_cast<std::uint64_t>(*rows) > limits_.max_rows) {
    if (auto gone = store_.erase(count_key); !gone) return std::unexpected(gone.error());
    if (auto x = store_.increment(keys::dropped(period, domain), 1, ttl); !x)
      return std::unexpected(x.error());
    return Recorded::row_limit;
  }
  if (auto put = store_.put(keys::row(period, domain, d), encoded, ttl); !put)
    return std::unexpected(put.error());
  return Recorded::counted;
}

void Recorder::note_failure(state::StoreError e) {
  if (!in_outage_.exchange(true)) {
    stats_.outages.fetch_add(1, std::memory_order_relaxed);
    log::warning(
        "DMARC reports: state store {} failed ({}): messages are not recorded until it answers "
        "again",
        store_.name(), state::to_string(e));
  }
}

void Recorder::note_success() {
  if (in_outage_.load(std::memory_order_relaxed) && in_outage_.exchange(false))
    log::info("DMARC reports: state store {} answers again: recording resumed", store_.name());
}

}  // namespace postseal::dmarc_report
