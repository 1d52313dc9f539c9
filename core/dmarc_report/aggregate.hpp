// aggregate.hpp - reading one period's report data back from the store: the policy domains,
// and for one domain its rows with their message counts (RFC 9990 2.1 record/row/count).
//
// Untrusted input: stored values (a shared Redis may hold anything): a value that does not
// decode, a count that is not positive, or a row without its counter is skipped and counted
// in `unreadable`. Limits: at most max_domains domains and max_rows rows per domain are read
// (both at most state::kMaxScanEntries); one domain's rows are in memory at a time, encoded.
#pragma once

#include "core/dmarc_report/period.hpp"
#include "core/dmarc_report/row.hpp"
#include "core/state/store.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace postseal::dmarc_report {

// CountedRow - one report record: the row (kept encoded: a tenth of a decoded Row's memory)
// and how many messages had it.
struct CountedRow {
  std::string encoded;  // encode_row(); aggregate.hpp only keeps rows that decode
  std::int64_t count = 0;
  Row row() const { return decode_row(encoded).value_or(Row{}); }
};

// DomainData - what one policy domain's report holds.
struct DomainData {
  PolicyPublished policy;
  std::vector<CountedRow> rows;  // most messages first, then by encoding (stable output)
  std::int64_t messages = 0;     // sum of the counts
  std::int64_t dropped = 0;      // messages not counted because of the row limit
  std::size_t unreadable = 0;    // stored entries skipped
};

// published_policies - the policy domains of `period`, sorted by domain.
state::Result<std::vector<PolicyPublished>> published_policies(state::Store& store,
                                                               const Period& period,
                                                               std::size_t max_domains);

// domain_data - the rows of `policy.domain` in `period`.
state::Result<DomainData> domain_data(state::Store& store, const Period& period,
                                      const PolicyPublished& policy, std::size_t max_rows);

}  // namespace postseal::dmarc_report
