// transitions.cpp - one tick of the rotation state machine, one function per state (see
// transitions.hpp).
#include "keys/rotation/transitions.hpp"

#include <array>

namespace postseal::rotation {
namespace {

// Tick - one domain's records and the events of this tick; `moved` marks records already
// moved this tick, which move no further.
struct Tick {
  std::vector<Record>& records;
  std::vector<bool> moved;
  std::vector<Event> events;
  std::int64_t now;

  void move(std::size_t i, State to, Change change, std::string detail = {}) {
    records[i].state = to;
    records[i].since = now;
    moved[i] = true;
    events.push_back(Event{change, records[i], std::move(detail)});
  }
};

void on_pending(Tick& t, std::size_t i, const Lookup& lookup) {
  auto sighting = lookup(t.records[i]);
  if (sighting.seen == Seen::match) return t.move(i, State::published, Change::published);
  t.events.push_back(Event{Change::waiting, t.records[i], std::move(sighting.detail)});
}

// retire_others - the domain's other active keys of `i`'s algorithm stop signing.
void retire_others(Tick& t, std::size_t i) {
  for (std::size_t j = 0; j < t.records.size(); ++j)
    if (j != i && !t.moved[j] && t.records[j].state == State::active && t.records[j].a == t.records[i].a)
      t.move(j, State::retiring, Change::retired, "replaced by " + t.records[i].s);
}

void on_published(Tick& t, std::size_t i, const Timing& timing, const Lookup& lookup) {
  if (t.now - t.records[i].since < timing.publish_lead) return;
  auto sighting = lookup(t.records[i]);
  if (sighting.seen != Seen::match) return t.move(i, State::pending, Change::withdrawn, std::move(sighting.detail));
  t.move(i, State::active, Change::activated);
  retire_others(t, i);
}

void on_retiring(Tick& t, std::size_t i, const Timing& timing) {
  if (t.now - t.records[i].since >= timing.retire_after) t.move(i, State::revoked, Change::revoked);
}

}  // namespace

std::string_view to_string(Change c) {
  constexpr std::array names{"published", "activated", "retired", "revoked", "withdrawn", "waiting"};
  return names[static_cast<std::size_t>(c)];
}

std::vector<Event> advance(std::vector<Record>& records, std::int64_t now, const Timing& timing,
                           const Lookup& lookup) {
  Tick t{records, std::vector<bool>(records.size(), false), {}, now};
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (t.moved[i]) continue;
    switch (records[i].state) {
      case State::pending: on_pending(t, i, lookup); break;
      case State::published: on_published(t, i, timing, lookup); break;
      case State::retiring: on_retiring(t, i, timing); break;
      case State::active:
      case State::revoked: break;
    }
  }
  return std::move(t.events);
}

}  // namespace postseal::rotation
