// suppression.hpp - rua addresses that get no aggregate reports for a while, because their
// reports bounce (docs/dmarc.md "Suppressed destinations").
//
// Bounces of report mail come back later, as DSNs to dmarc.report_bounce_address; sendmail's
// exit status says nothing about them (Postfix queues the mail and exits 0). So suppression is
// set by `postseal dmarc bounce` when Postfix pipes such a DSN to it (bounce.hpp), or by the
// admin with `postseal dmarc suppress ADDRESS [--days N]`, and ends by itself after N days (or
// with --remove). The report run and the failure report thread check each address before
// sending (is_suppressed, the one rule for both) and say why they skip one. Store key: dmarc:q:DIGEST (digest of the
// lower-cased address, row.hpp digest()), value the address, TTL the suppression's length;
// several hosts sharing a Redis share it. Input: an address already checked by
// destination.hpp mailto_address(). Limits: kMaxSuppressDays.
#pragma once

#include "core/dmarc/options.hpp"
#include "core/state/store.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace postseal::dmarc_report {

// kDefaultSuppressDays / kMaxSuppressDays - how long a suppression lasts (core/dmarc/options.hpp).
using dmarc::kDefaultSuppressDays;
using dmarc::kMaxSuppressDays;

// suppression_key - dmarc:q:DIGEST of `address` (case-insensitive).
std::string suppression_key(std::string_view address);

// suppress - no reports to `address` for `days` days (from now; a repeat restarts the time).
state::Result<void> suppress(state::Store& store, std::string_view address, std::int64_t days);

// lift - reports to `address` again; false when it was not suppressed.
state::Result<bool> lift(state::Store& store, std::string_view address);

// is_suppressed - whether `address` is suppressed now.
state::Result<bool> is_suppressed(state::Store& store, std::string_view address);

}  // namespace postseal::dmarc_report
