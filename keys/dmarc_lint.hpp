// dmarc_lint.hpp - `postseal dns-check`'s look at a domain's DMARC policy record: is one
// published, where does the policy that applies to the domain come from, what in it is
// wrong or ignored (tag by tag), do its external report destinations authorise the reports,
// and does the d= our signer puts on mail from the domain align with it.
//
// RFC 9989 4.10 (several DMARC records at one name are all discarded), 4.10.1 (policy
// discovery, the same Discovery the verifier uses: tree walk or PSL per dmarc.discovery),
// 4.7 / 4.8 (tags and their values: the one parser, core/dmarc/record), 3.2.10 and 4.4
// (relaxed/strict alignment, adkim; the verifier's identifier_aligned()). RFC 9990's
// verification of external destinations (DOMAIN._report._dmarc.DEST). The signer's d= for a
// From domain is the signer's own rule (signer::SigningTable::lookup over signer.domain[]:
// the exact name, else the nearest parent with subdomains = true). Untrusted input: DNS
// answers (shown through printable(); record text bounded by the parser's limits). Limits:
// rua/ruf URIs as the parser keeps them (dmarc::kMaxReportUris each), one TXT query per
// destination.
#pragma once

#include "core/dmarc/discovery.hpp"
#include "core/dns/resolver.hpp"

#include <asio/awaitable.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace postseal::config {
class File;
}

namespace postseal::keys {

// Severity - `problem` findings make dns-check exit 1; `info` ones are printed only.
enum class Severity { ok, info, problem };
std::string_view to_string(Severity s);

// Finding - one line of the lint: which tag (or "record", "discovery", "alignment") and what.
struct Finding {
  Severity severity = Severity::info;
  std::string tag;
  std::string text;  // printable
};

// SignerDomain - one [[signer.domain]] of the config, as far as the lint needs it.
struct SignerDomain {
  std::string name;  // lower-case
  bool subdomains = false;
};

// DmarcLint - what the lint found for one domain.
struct DmarcLint {
  std::string domain;
  dmarc::PolicyDiscovery discovery;
  std::vector<dmarc::TraceStep> trace;
  std::vector<Finding> findings;
  bool has_problem() const;
};

// signer_domains - the signer.domain[] tables of `file` (name and subdomains).
std::vector<SignerDomain> signer_domains(const config::File& file);

// lint_dmarc - look up and judge the DMARC record that applies to `domain` (checked,
// lower-case). `psl` must be set in Mode::psl.
asio::awaitable<DmarcLint> lint_dmarc(dns::Resolver& resolver, dmarc::Mode mode,
                                      const dmarc::PublicSuffixList* psl, std::string domain,
                                      std::vector<SignerDomain> signers);

}  // namespace postseal::keys
