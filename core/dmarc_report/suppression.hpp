// suppression.hpp - rua addresses that get no aggregate reports for a while, because their
// reports bounce (docs/dmarc.md "Suppressed destinations").
//
// Bounces of report mail come back later, as DSNs to dmarc.report_email; sendmail's exit
// status says nothing about them (Postfix queues the mail and exits 0). So suppression is set
// by the admin who reads those bounces, with `postseal dmarc suppress ADDRESS [--days N]`,
// and ends by itself after N days (or with --remove). The report run checks each address
// before sending and says why it skips one. Store key: dmarc:q:DIGEST (digest of the
// lower-cased address, row.hpp digest()), value the address, TTL the suppression's length;
// several hosts sharing a Redis share it. Input: an address already checked by
// destination.hpp mailto_address(). Limits: kMaxSuppressDays.
#pragma once

#include "core/state/store.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace postseal::dmarc_report {

// kDefaultSuppressDays / kMaxSuppressDays - how long `postseal dmarc suppress` lasts.
inline constexpr std::int64_t kDefaultSuppressDays = 30;
inline constexpr std::int64_t kMaxSuppressDays = 365;

// suppression_key - dmarc:q:DIGEST of `address` (case-insensitive).
std::string suppression_key(std::string_view address);

// suppress - no reports to `address` for `days` days (from now; a repeat restarts the time).
state::Result<void> suppress(state::Store& store, std::string_view address, std::int64_t days);

// lift - reports to `address` again; false when it was not suppressed.
state::Result<bool> lift(state::Store& store, std::string_view address);

// is_suppressed - whether `address` is suppressed now.
state::Result<bool> is_suppressed(state::Store& store, std::string_view address);

}  // namespace postseal::dmarc_report
