// store_errors.cpp - state-store operations that failed (see events.hpp). Counted by
// core/state/counting_store.cpp, around every store a daemon opens.
#include "core/metrics/events.hpp"
#include "core/metrics/families.hpp"
#include "core/metrics/registry.hpp"

namespace postseal::metrics {
namespace {

// error_label - state::to_string's words as label values ("bad reply" -> "bad_reply").
std::string_view error_label(std::string_view error) {
  if (error == "bad reply") return "bad_reply";
  if (error == "bad input") return "bad_input";
  return error;  // unavailable, timeout; anything else is "other" in the grid
}

}  // namespace

void count_store_error(std::string_view backend, std::string_view error) {
  if (!enabled()) return;
  families().store_errors.add({backend, error_label(error)});
}

}  // namespace postseal::metrics
