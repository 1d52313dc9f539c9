// suppression.cpp - suppressed rua addresses (see suppression.hpp).
#include "core/dmarc_report/suppression.hpp"

#include "core/dmarc_report/period.hpp"
#include "core/dmarc_report/row.hpp"
#include "core/util/text.hpp"

#include <cassert>

namespace postseal::dmarc_report {

std::string suppression_key(std::string_view address) {
  return "dmarc:q:" + digest(to_lower(address));
}

state::Result<void> suppress(state::Store& store, std::string_view address, std::int64_t days) {
  assert(days >= 1 && days <= kMaxSuppressDays);
  return store.put(suppression_key(address), to_lower(address), days * kSecondsPerDay);
}

state::Result<bool> lift(state::Store& store, std::string_view address) {
  return store.erase(suppression_key(address));
}

state::Result<bool> is_suppressed(state::Store& store, std::string_view address) {
  auto value = store.get(suppression_key(address));
  if (!value) return std::unexpected(value.error());
  return value->has_value();
}

}  // namespace postseal::dmarc_report
