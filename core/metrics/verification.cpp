// verification.cpp - the verifier's events: DKIM, SPF and DMARC results (see events.hpp).
// Results arrive in RFC 8601 spelling from dkim::to_string, spf::to_string, dmarc::to_string;
// they are lower-cased here so "PermError" and "permerror" share a series.
#include "core/metrics/events.hpp"
#include "core/metrics/families.hpp"
#include "core/metrics/registry.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace postseal::metrics {
namespace {

// kMaxResultOctets - the longest result word ("temperror"); longer input is "other".
constexpr std::size_t kMaxResultOctets = 16;

// lower - the result word in lower case, in a fixed buffer (no allocation per message).
struct Lower {
  std::array<char, kMaxResultOctets> buffer{};
  std::string_view text;
  explicit Lower(std::string_view in) {
    if (in.size() > buffer.size()) {
      text = kOther;
      return;
    }
    std::transform(in.begin(), in.end(), buffer.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    text = std::string_view(buffer.data(), in.size());
  }
};

}  // namespace

void count_dkim(std::string_view result) {
  if (!enabled()) return;
  families().dkim_results.add({Lower(result).text});
}

void count_spf(std::string_view result) {
  if (!enabled()) return;
  families().spf_results.add({Lower(result).text});
}

void count_dmarc(std::string_view result) {
  if (!enabled()) return;
  families().dmarc_results.add({Lower(result).text});
}

}  // namespace postseal::metrics
