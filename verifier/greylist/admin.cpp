// admin.cpp - `postseal greylist` on the state store (see admin.hpp).
#include "verifier/greylist/admin.hpp"

#include "core/util/text.hpp"
#include "verifier/greylist/answer.hpp"

#include <fmt/format.h>

#include <charconv>

namespace postseal::greylist {

std::expected<std::string, std::string> admin_triplet_key(std::string_view client, std::string_view sender,
                                                          std::string_view recipient, const KeyOptions& options) {
  if (recipient.empty()) return std::unexpected("RECIPIENT is empty");
  if (has_control(sender) || has_control(recipient) || has_control(client))
    return std::unexpected("an argument holds a control character");
  Triplet t;
  if (starts_with_icase(client, "spf:")) {
    if (client.size() == 4) return std::unexpected("CLIENT spf: names no domain");
    auto key_options = options;
    key_options.key_by_spf_domain = true;
    t = make_triplet(asio::ip::address(), sender, recipient, client.substr(4), key_options);
  } else {
    asio::error_code ec;
    auto ip = asio::ip::make_address(std::string(client), ec);
    if (ec) return std::unexpected(fmt::format("CLIENT '{}' is not an IP address or spf:DOMAIN", printable(client, 60)));
    auto key_options = options;
    key_options.key_by_spf_domain = false;
    t = make_triplet(ip, sender, recipient, "", key_options);
  }
  return triplet_key(t);
}

std::string describe(std::string_view value, const Options& options, std::int64_t now) {
  auto r = parse_record(value);
  if (!r) return fmt::format("unreadable value '{}' (rewritten on next use)", printable(value, 60));
  auto when = fmt::format("first seen {}, last seen {}", rfc5322_date(r->first), rfc5322_date(r->last));
  if (now - r->last > options.max_age) return when + ": expired";
  if (r->last - r->first >= options.delay) return when + ": passed";
  if (now - r->first > options.retry_window) return when + ": retry window over (starts over)";
  auto left = options.delay - (now - r->first);
  if (left > 0) return fmt::format("{}: waiting, {} s left", when, left);
  return when + ": delay over, passes on the next attempt";
}

state::Result<std::string> show(state::Store& store, const std::string& key, const Options& options,
                                std::int64_t now) {
  auto value = store.get(key);
  if (!value) return std::unexpected(value.error());
  if (!*value) return fmt::format("{}: not recorded (the next delivery is greylisted)", key);
  return fmt::format("{}: {}", key, describe(**value, options, now));
}

state::Result<void> allow(state::Store& store, const std::string& key, const Options& options, std::int64_t now) {
  return store.put(key, format_record({std::max<std::int64_t>(0, now - options.delay), now}), options.max_age);
}

state::Result<bool> forget(state::Store& store, const std::string& key) { return store.erase(key); }

state::Result<std::string> stats(state::Store& store, const Options& options, std::int64_t now) {
  auto triplets = store.scan(kTripletPrefix, state::kMaxScanEntries);
  if (!triplets) return std::unexpected(triplets.error());
  std::size_t passed = 0, waiting = 0;
  for (const auto& [key, value] : *triplets) {
    auto r = parse_record(value);
    if (!r || now - r->last > options.max_age) continue;
    (r->last - r->first >= options.delay ? passed : waiting) += 1;
  }
  auto clients = store.scan(kClientPrefix, state::kMaxScanEntries);
  if (!clients) return std::unexpected(clients.error());
  std::size_t listed = 0;
  for (const auto& [key, value] : *clients) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec == std::errc() && options.auto_whitelist_clients > 0 && n >= options.auto_whitelist_clients) ++listed;
  }
  return fmt::format(
      "store: {}\ntriplets: {} ({} passed, {} waiting){}\nclient networks counted: {} ({} auto-whitelisted)\n",
      store.name(), triplets->size(), passed, waiting,
      triplets->size() >= state::kMaxScanEntries ? " (scan limit reached: at least)" : "", clients->size(), listed);
}

}  // namespace postseal::greylist
