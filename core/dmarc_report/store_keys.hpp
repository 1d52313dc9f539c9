// store_keys.hpp - the state store keys of DMARC report data (core/state/store.hpp).
//
// One period (UTC day) of one policy domain is:
//   dmarc:p:PERIOD:DOMAIN          the policy published and rua list (first message of the day)
//   dmarc:r:PERIOD:DOMAIN:DIGEST   one Row (row.hpp), DIGEST = digest(encoded row)
//   dmarc:c:PERIOD:DOMAIN:DIGEST   its message count (a store counter)
//   dmarc:n:PERIOD:DOMAIN          rows started (the row limit's counter)
//   dmarc:x:PERIOD:DOMAIN          messages not counted because the row limit was reached
//   dmarc:d:PERIOD                 policy domains started (the domain limit's counter)
//   dmarc:s:PERIOD:DOMAIN:DIGEST   report sent to the rua whose digest is DIGEST
// Failure reports (rate_limit.hpp) count per clock hour HOUR (seconds since the epoch / 3600):
//   dmarc:f:HOUR:DIGEST            failure reports to the ruf address whose digest is DIGEST
//   dmarc:f:HOUR:all               failure reports to any address (the global cap)
// Any report (sent_recently.hpp) and suppression (suppression.hpp), per address, no period:
//   dmarc:h:DIGEST                 a report was handed to sendmail for it (bounces are believed)
//   dmarc:q:DIGEST                 no reports to it for a while
// DOMAIN is a checked DNS name (no ":"), so one domain's prefix never matches another's.
// Longest key: 8 + 10 + 1 + 253 + 1 + 32 octets, under state::kMaxKeyOctets.
#pragma once

#include "core/dmarc_report/period.hpp"

#include <string>
#include <string_view>

namespace postseal::dmarc_report::keys {

std::string policy(const Period& p, std::string_view domain);
std::string policy_prefix(const Period& p);
std::string row(const Period& p, std::string_view domain, std::string_view digest);
std::string row_prefix(const Period& p, std::string_view domain);
std::string count(const Period& p, std::string_view domain, std::string_view digest);
std::string count_prefix(const Period& p, std::string_view domain);
std::string rows_started(const Period& p, std::string_view domain);
std::string dropped(const Period& p, std::string_view domain);
std::string domains_started(const Period& p);
std::string sent(const Period& p, std::string_view domain, std::string_view rua);
std::string failures_sent(std::int64_t hour, std::string_view ruf_address);
std::string failures_sent_all(std::int64_t hour);
// handed_over - dmarc:h:DIGEST of `address` (case-insensitive).
std::string handed_over(std::string_view address);

}  // namespace postseal::dmarc_report::keys
