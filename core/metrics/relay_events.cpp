// relay_events.cpp - SRS lookups, greylisting decisions and sessions in flight (see
// events.hpp).
#include "core/metrics/events.hpp"
#include "core/metrics/families.hpp"
#include "core/metrics/registry.hpp"

namespace postseal::metrics {

void count_srs(std::string_view direction, std::string_view result) {
  if (!enabled()) return;
  families().srs.add({direction, result});
}

void count_relayed(std::string_view server, std::string_view result) {
  if (!enabled()) return;
  families().messages_relayed.add({server, result});
}

void count_greylist(std::string_view decision) {
  if (!enabled()) return;
  families().greylist.add({decision == "store error" ? std::string_view("store_error") : decision});
}

void session_started(std::string_view server) {
  if (!enabled()) return;
  families().sessions_in_flight->Add({{"server", std::string(server)}}).Increment();
}

void session_ended(std::string_view server) {
  if (!enabled()) return;
  families().sessions_in_flight->Add({{"server", std::string(server)}}).Decrement();
}

}  // namespace postseal::metrics
