// result_metrics.hpp - a verified message's DKIM and DMARC results in the metrics
// (postseal_dkim_results_total, postseal_dmarc_results_total), for the milter and the proxy
// filter; SPF is counted by the decision core (decision/decider.cpp) for every front end.
// Untrusted input: none beyond the results themselves (fixed enums).
#pragma once

#include "core/dkim/verify_result.hpp"
#include "core/dmarc/evaluate.hpp"

#include <optional>
#include <vector>

namespace postseal::verifier {

// count_results - one count per DKIM signature result ("none" when the message had none) and
// the DMARC verdict's result when DMARC was evaluated.
void count_results(const std::vector<dkim::SignatureResult>& dkim, const std::optional<dmarc::Verdict>& dmarc);

}  // namespace postseal::verifier
