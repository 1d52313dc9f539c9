// result_metrics.cpp - DKIM and DMARC results counted (see result_metrics.hpp).
#include "verifier/result_metrics.hpp"

#include "core/metrics/events.hpp"

namespace postseal::verifier {

void count_results(const std::vector<dkim::SignatureResult>& dkim, const std::optional<dmarc::Verdict>& dmarc) {
  if (!metrics::enabled()) return;
  if (dkim.empty()) metrics::count_dkim(dkim::to_string(dkim::Result::none));
  for (const auto& r : dkim) metrics::count_dkim(dkim::to_string(r.result));
  if (dmarc) metrics::count_dmarc(dmarc::to_string(dmarc->result));
}

}  // namespace postseal::verifier
