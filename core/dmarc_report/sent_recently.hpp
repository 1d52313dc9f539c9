// sent_recently.hpp - which addresses got report mail from us lately: the guard that lets a
// bounce suppress only an address we actually wrote to (docs/dmarc.md "Bounces").
//
// Each time a report (aggregate or failure) is handed to sendmail, the sender notes it under
// dmarc:h:DIGEST (store_keys.hpp; digest of the lower-cased address), the value saying which
// report ("aggregate report of 2026-12-06"), for kSentRecentlyDays: bounces come back within
// Postfix's maximal_queue_lifetime (5 days by default) and remote queues' like it. A DSN about
// an address without that entry is not believed (bounce.hpp): a forged DSN cannot suppress
// addresses we never sent to. Hosts sharing a Redis share the entries, so a bounce may reach
// any of them. Input: addresses already checked (destination.hpp mailto_address). Limits:
// the value is cut to kMaxSentWhatOctets.
#pragma once

#include "core/state/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postseal::dmarc_report {

inline constexpr std::int64_t kSentRecentlyDays = 30;
inline constexpr std::size_t kMaxSentWhatOctets = 200;

// note_sent - `what` was handed to sendmail for `address` now (a repeat restarts the time).
state::Result<void> note_sent(state::Store& store, std::string_view address, std::string_view what);

// sent_recently - what was last sent to `address` within kSentRecentlyDays; nullopt if nothing.
state::Result<std::optional<std::string>> sent_recently(state::Store& store,
                                                        std::string_view address);

}  // namespace postseal::dmarc_report
