// greylister.cpp - greylisting over the state store (see greylister.hpp).
#include "verifier/greylist/greylister.hpp"

#include "core/metrics/events.hpp"
#include "core/metrics/stage.hpp"
#include "core/net/address_list.hpp"
#include "core/util/log.hpp"

#include <fmt/format.h>

#include <charconv>

namespace postseal::greylist {
namespace {

// kHourPrefix - "this client network earned a point this hour" markers.
constexpr std::string_view kHourPrefix = "greylist:h:";

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

Outcome skip(std::string reason) {
  Outcome o;
  o.action = Action::skip;
  o.reason = std::move(reason);
  return o;
}

}  // namespace

std::string_view to_string(Action a) {
  switch (a) {
    case Action::pass: return "pass";
    case Action::defer: return "defer";
    case Action::skip: return "skip";
    case Action::store_error: return "store error";
  }
  return "?";
}

std::optional<TripletRecord> parse_record(std::string_view value) {
  auto comma = value.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  auto first = parse_int(value.substr(0, comma));
  auto last = parse_int(value.substr(comma + 1));
  if (!first || !last || *first < 0 || *last < *first) return std::nullopt;
  return TripletRecord{*first, *last};
}

std::string format_record(const TripletRecord& r) { return fmt::format("{},{}", r.first, r.last); }

Greylister::Greylister(state::Store& store, const Clock& clock, Options options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

std::string Greylister::skip_reason(const Request& r) const {
  const auto& s = options_.skip;
  if (net::is_localhost(r.client_address)) return "localhost";
  if (s.authenticated && !r.sasl_username.empty()) return "authenticated";
  if (s.networks.matches(r.client_address)) return "skip_networks";
  if (s.spf_pass && !r.spf_pass_domain.empty()) return "spf-pass";
  if (s.dmarc_pass && r.dmarc_pass) return "dmarc-pass";
  if (options_.clients && options_.clients->matches(r.client_name, net::unmapped(r.client_address)))
    return "whitelisted client";
  if (options_.recipients && options_.recipients->matches(r.recipient)) return "whitelisted recipient";
  return {};
}

Outcome Greylister::failed(state::StoreError e) {
  stats_.store_failures.fetch_add(1, std::memory_order_relaxed);
  if (!in_outage_.exchange(true)) {
    stats_.outages.fetch_add(1, std::memory_order_relaxed);
    log::warning("greylisting: state store {}: {}: not greylisting (DUNNO) until it answers again",
                 store_.name(), state::to_string(e));
  }
  Outcome o;
  o.action = Action::store_error;
  o.reason = std::string(state::to_string(e));
  return o;
}

void Greylister::succeeded() {
  if (in_outage_.load(std::memory_order_relaxed) && in_outage_.exchange(false))
    log::info("greylisting: state store {} answers again: greylisting resumed", store_.name());
}

state::Result<void> Greylister::count_delivery(const std::string& client) {
  // At most one point an hour per client network. The hour is judged on the time written in
  // the marker, by our clock (the store's expiry runs on Redis's own clock), and read first:
  // an auto-whitelisted network asks on every message, and that costs no write.
  const std::int64_t now = clock_.now();
  auto marker = std::string(kHourPrefix) + client.substr(kClientPrefix.size());
  auto stamp = store_.get(marker);
  if (!stamp) return std::unexpected(stamp.error());
  auto since = *stamp ? parse_int(**stamp) : std::nullopt;
  if (since && now - *since < kAutoWhitelistInterval) return {};
  if (!*stamp) {
    auto fresh = store_.put_if_absent(marker, std::to_string(now), kAutoWhitelistInterval);
    if (!fresh) return std::unexpected(fresh.error());
    if (!*fresh) return {};  // another MX host counted this hour's point just now
  } else if (auto put = store_.put(marker, std::to_string(now), kAutoWhitelistInterval); !put) {
    return std::unexpected(put.error());
  }
  auto count = store_.increment(client, 1, options_.max_age);
  if (!count) return std::unexpected(count.error());
  if (*count == options_.auto_whitelist_clients)
    log::info("greylisting: client network {} auto-whitelisted after {} deliveries", client.substr(kClientPrefix.size()),
              *count);
  return {};
}

state::Result<bool> Greylister::auto_whitelisted(const std::string& client) {
  if (options_.auto_whitelist_clients <= 0) return false;
  auto value = store_.get(client);
  if (!value) return std::unexpected(value.error());
  if (!*value) return false;
  auto count = parse_int(**value);
  if (!count) {  // not a counter (a foreign writer): start it again
    if (auto erased = store_.erase(client); !erased) return std::unexpected(erased.error());
    return false;
  }
  if (*count < options_.auto_whitelist_clients) return false;
  if (auto kept = count_delivery(client); !kept) return std::unexpected(kept.error());  // keep it alive
  return true;
}

state::Result<Outcome> Greylister::check_triplet(const std::string& key, const std::string& client) {
  const std::int64_t now = clock_.now();
  // One call for a first sighting (the common case): the first writer among the MX hosts
  // sets first-seen; anyone else reads the record already there. Triplet writes may be
  // batched (store.hpp): a lost or doubled one only greylists a sender again.
  auto claim = store_.put_if_absent_or_get_batched(key, format_record({now, now}), options_.retry_window);
  if (!claim) return std::unexpected(claim.error());
  const bool inserted = claim->set;
  std::optional<TripletRecord> record;
  if (claim->existing) record = parse_record(*claim->existing);
  if (record && now - record->last > options_.max_age) record.reset();
  bool was_passed = false;
  std::int64_t first = now;
  if (record) {
    was_passed = record->last - record->first >= options_.delay;
    first = record->first;
    if (!was_passed && now - first > options_.retry_window) first = now;  // start over
    if (first > now) first = now;                                         // a clock went back
  }
  const bool passed = now - first >= options_.delay;
  if (!inserted) {
    auto put = store_.put_batched(key, format_record({first, now}), passed ? options_.max_age : options_.retry_window);
    if (!put) return std::unexpected(put.error());
  }
  Outcome o;
  if (!passed) {
    o.action = Action::defer;
    o.seconds = options_.delay - (now - first);
    o.reason = first == now ? "new" : "early retry";
    return o;
  }
  o.action = Action::pass;
  o.first_pass = !was_passed;
  o.seconds = now - first;
  o.reason = was_passed ? "triplet found" : "delay passed";
  if (o.first_pass && options_.auto_whitelist_clients > 0)
    if (auto counted = count_delivery(client); !counted) return std::unexpected(counted.error());
  return o;
}

Outcome Greylister::check(const Request& r) {
  metrics::StageTimer timer(metrics::Stage::greylist);
  Outcome outcome = decide(r);
  metrics::count_greylist(to_string(outcome.action));
  return outcome;
}

Outcome Greylister::decide(const Request& r) {
  stats_.checks.fetch_add(1, std::memory_order_relaxed);
  if (auto reason = skip_reason(r); !reason.empty()) {
    stats_.skips.fetch_add(1, std::memory_order_relaxed);
    return skip(std::move(reason));
  }
  auto client = client_key(r.client_address, options_.key);
  auto listed = auto_whitelisted(client);
  if (!listed) return failed(listed.error());
  if (*listed) {
    succeeded();
    stats_.skips.fetch_add(1, std::memory_order_relaxed);
    stats_.auto_whitelisted.fetch_add(1, std::memory_order_relaxed);
    return skip("auto-whitelisted");
  }
  auto triplet = make_triplet(r.client_address, r.sender, r.recipient, r.spf_pass_domain, options_.key);
  auto outcome = check_triplet(triplet_key(triplet), client);
  if (!outcome) return failed(outcome.error());
  succeeded();
  (outcome->action == Action::pass ? stats_.passes : stats_.defers).fetch_add(1, std::memory_order_relaxed);
  return std::move(*outcome);
}

}  // namespace postseal::greylist
