// greylister.hpp - greylisting with postgrey's semantics over the shared state store
// (core/state/store.hpp), so several MX hosts sharing one store decide the same.
//
// A triplet (key.hpp) seen for the first time is recorded (put_if_absent_or_get, one store
// call: two MX hosts asked at once agree on one first-seen time) and deferred for `delay` seconds; a retry
// after the delay and within `retry_window` of the first sighting passes, and the first
// pass reports how long the mail was delayed (the X-Greylist header); after retry_window
// without a pass the triplet starts over; a record unused for `max_age` is forgotten.
// Record value: "FIRST,LAST" (seconds since the epoch, the caller's clock), so expiry never
// depends on the store's own clock; the store TTL only bounds its size (retry_window for a
// triplet not yet passed, max_age after). Auto-whitelist: the first pass of each triplet
// counts one completed delivery for the client network (at most one per hour, as postgrey);
// a network with auto_whitelist_clients of them is not greylisted any more (0: off).
// Order: skip rules and whitelists first (no store access), then the auto-whitelist, then
// the triplet. Store errors fail open: the outcome is store_error (the caller answers DUNNO,
// never a deferral), logged once per outage and counted (Stats). Untrusted input: the
// request's client name, sender and recipient (bounded in key.hpp and whitelist.hpp) and the
// store's values (a value that does not parse is treated as absent and rewritten).
#pragma once

#include "core/state/store.hpp"
#include "core/util/clock.hpp"
#include "verifier/greylist/key.hpp"
#include "verifier/greylist/whitelist.hpp"

#include <asio/ip/address.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace postseal::greylist {

// Defaults of the [greylist] keys (postgrey 1.37's).
inline constexpr std::int64_t kDefaultDelay = 300;
inline constexpr std::int64_t kDefaultRetryWindow = 2 * 24 * 3600;
inline constexpr std::int64_t kDefaultMaxAge = 35 * 24 * 3600;
inline constexpr std::int64_t kDefaultAutoWhitelistClients = 5;
// kAutoWhitelistInterval - a client network earns at most one auto-whitelist point per hour.
inline constexpr std::int64_t kAutoWhitelistInterval = 3600;

// Options - one greylister's settings ([greylist] keys, see options.hpp).
struct Options {
  std::int64_t delay = kDefaultDelay;
  std::int64_t retry_window = kDefaultRetryWindow;
  std::int64_t max_age = kDefaultMaxAge;
  std::int64_t auto_whitelist_clients = kDefaultAutoWhitelistClients;
  KeyOptions key;
  SkipRules skip;
  std::shared_ptr<const ClientWhitelist> clients;        // may be null
  std::shared_ptr<const RecipientWhitelist> recipients;  // may be null
};

// Request - what a front end knows at RCPT time.
struct Request {
  asio::ip::address client_address;
  std::string_view client_name;    // Postfix's validated name, "unknown" or empty
  std::string_view sender;         // empty: null sender
  std::string_view recipient;
  std::string_view sasl_username;  // empty: not authenticated
  std::string_view spf_pass_domain;  // MAIL FROM domain when SPF passed, else empty
  bool dmarc_pass = false;
};

// Action - what the front end should do.
enum class Action {
  pass,         // accept; `seconds` > 0 or first_pass: the mail was delayed that long
  defer,        // temporary failure: try again in `seconds`
  skip,         // not greylisted: `reason`
  store_error,  // the store did not answer: fail open (DUNNO)
};
std::string_view to_string(Action a);

// Outcome - the decision for one recipient.
struct Outcome {
  Action action = Action::skip;
  std::int64_t seconds = 0;  // pass: delayed; defer: left to wait
  bool first_pass = false;   // pass: this is the triplet's first pass (X-Greylist header)
  std::string reason;        // skip: "whitelisted", "auto-whitelisted", "authenticated"...;
                             // store_error: the error; defer: "new" or "early retry"
};

// Stats - counters since start, read by logs and `postseal greylist stats`.
struct Stats {
  std::atomic<std::uint64_t> checks{0}, passes{0}, defers{0}, skips{0}, auto_whitelisted{0};
  std::atomic<std::uint64_t> store_failures{0}, outages{0};
};

class Greylister {
 public:
  // `store` and `clock` must outlive the greylister.
  Greylister(state::Store& store, const Clock& clock, Options options);

  // check - the decision for one recipient (thread-safe), counted in the metrics
  // (postseal_greylist_total{decision}).
  Outcome check(const Request& request);

  const Options& options() const { return options_; }
  const Stats& stats() const { return stats_; }
  state::Store& store() { return store_; }
  const Clock& clock() const { return clock_; }

 private:
  Outcome decide(const Request& request);
  std::string skip_reason(const Request& r) const;
  state::Result<bool> auto_whitelisted(const std::string& client);
  state::Result<Outcome> check_triplet(const std::string& key, const std::string& client);
  state::Result<void> count_delivery(const std::string& client);
  Outcome failed(state::StoreError e);
  void succeeded();

  state::Store& store_;
  const Clock& clock_;
  Options options_;
  Stats stats_;
  std::atomic<bool> in_outage_{false};
};

// TripletRecord - a stored triplet: first seen and last seen.
struct TripletRecord {
  std::int64_t first = 0;
  std::int64_t last = 0;
};
// parse_record - "FIRST,LAST"; nullopt for anything else.
std::optional<TripletRecord> parse_record(std::string_view value);
std::string format_record(const TripletRecord& r);

}  // namespace postseal::greylist
