// fixtures.hpp - rows, policies and stores the dmarc_report tests share: the stores are those
// of tests/unit/state (memory, SQLite on a temp file, Redis when POSTSEAL_TEST_REDIS is set),
// on a FixedClock.
#pragma once

#include "core/dmarc_report/row.hpp"
#include "tests/unit/state/test_backends.hpp"

#include "tests/unit/run_awaitable.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace postseal::dmarc_report::test {

using state::test::Backend;

// kDay - 2023-11-14 22:13:20 UTC (state::test::kStart), a Tuesday.
inline constexpr std::int64_t kNow = state::test::kStart;

inline PolicyPublished policy(std::string domain = "example.com") {
  PolicyPublished p;
  p.domain = std::move(domain);
  p.p = "reject";
  p.sp = "quarantine";
  p.discovery_method = "treewalk";
  p.rua = {"mailto:dmarc@" + p.domain};
  return p;
}

inline Row row(std::string ip = "192.0.2.1", std::string header_from = "example.com") {
  Row r;
  r.source_ip = std::move(ip);
  r.header_from = std::move(header_from);
  r.envelope_from = r.header_from;
  r.spf_domain = r.header_from;
  r.spf_scope = "mfrom";
  r.spf_result = "pass";
  r.dkim = {{r.header_from, "sel1", "pass"}};
  r.disposition = "pass";
  r.dkim_aligned = true;
  r.spf_aligned = true;
  return r;
}

using postseal::test::run;

// count_lines - how many of the captured log `lines` hold `text` (the recorder's outage and
// "recording resumed" lines).
inline int count_lines(const std::vector<std::string>& lines, std::string_view text) {
  int n = 0;
  for (const auto& l : lines) n += l.find(text) != std::string::npos;
  return n;
}

}  // namespace postseal::dmarc_report::test
