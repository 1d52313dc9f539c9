// discovery.hpp - DMARC policy discovery and Organizational Domains, by DNS tree walk or PSL.
//
// RFC 9989 4.10 (DNS Tree Walk: at most kMaxTreeWalkQueries queries; a name of more than
// eight labels is shortened to seven after the first query; a single valid record with
// psd=y or psd=n stops the walk; several DMARC records at one name are all discarded),
// 4.10.1 (policy discovery: the Author Domain's record, else its Organizational Domain's,
// else its Public Suffix Domain's), 4.10.2 (Organizational Domain selection), 3.2.13 and
// RFC 8020 (a name answering NXDOMAIN does not exist: the "np" test). The "psl" mode does
// RFC 7489 6.6.3 instead: the Author Domain, then its PSL Organizational Domain
// (public_suffix.hpp). With Trace::on every query and its answer go into a trace (`postseal
// dmarc` and the dns-check lint print it; the verifier leaves it off, so a message's
// evaluation builds no text it does not use). Untrusted input: domain
// names from messages and DNS answers. DNS failures are values: a SERVFAIL or timeout makes
// the outcome temperror (the resolver bounds each query's time). Answers are memoised per
// Discovery, so the walks of one evaluation ask each name once, and so are Organizational
// Domains (a walk over memoised answers gives the same result again). Limits: kMaxTreeWalkQueries
// per walk, names of at most kMaxDomainOctets octets (longer "_dmarc." names are not asked).
#pragma once

#include "core/dmarc/public_suffix.hpp"
#include "core/dmarc/record.hpp"
#include "core/dns/resolver.hpp"

#include <asio/awaitable.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postseal::dmarc {

// kMaxTreeWalkQueries - RFC 9989 4.10: a walk asks at most eight names.
inline constexpr std::size_t kMaxTreeWalkQueries = 8;
// kTreeWalkShortLabels - RFC 9989 4.10 step 4: labels kept after the first query of a name
// with eight labels or more.
inline constexpr std::size_t kTreeWalkShortLabels = 7;
// kMaxDomainOctets - RFC 1035 2.3.4 in text form (no final dot).
inline constexpr std::size_t kMaxDomainOctets = 253;

enum class Mode { treewalk, psl };
std::string_view to_string(Mode m);
std::optional<Mode> mode_from_string(std::string_view s);

// domain_name - `text` lower-cased, without a final dot, when it is a DNS name (labels of
// 1-63 octets of letters, digits, "-" or "_", kMaxDomainOctets in all); nullopt otherwise.
std::optional<std::string> domain_name(std::string_view text);

// tree_walk_names - RFC 9989 4.10 steps 1-7: the names a walk from `domain` asks for (without
// the "_dmarc." label), longest first; never more than kMaxTreeWalkQueries.
std::vector<std::string> tree_walk_names(std::string_view domain);

// TraceStep - one DNS query of a discovery and what it gave.
struct TraceStep {
  std::string query;   // "_dmarc.example.com TXT"
  std::string answer;  // "NXDOMAIN", "v=DMARC1; p=reject", "SERVFAIL (temporary)", ...
};

// Found - a valid DMARC record found at `domain` during a walk.
struct Found {
  std::string domain;
  Record record;
};

// select_organizational_domain - RFC 9989 4.10.2 steps 1-3 over the records a walk from
// `start` found (longest name first); `start` itself when none decides.
std::string select_organizational_domain(std::string_view start, const std::vector<Found>& found);

enum class Status { found, none, temperror, permerror };
std::string_view to_string(Status s);

// PolicyDiscovery - which record applies to an Author Domain (RFC 9989 4.10.1).
struct PolicyDiscovery {
  Status status = Status::none;
  std::string policy_domain;      // where the applied record was published
  Record record;                  // applicable() already done
  bool author_record = false;     // published at the Author Domain: "p" applies
  std::string detail;             // why not found (temperror, permerror)
};

// OrganizationalDomain - the Organizational Domain of a name, or why it is unknown.
struct OrganizationalDomain {
  Status status = Status::found;  // found, temperror or permerror
  std::string domain;
  std::string detail;
};

// Existence - RFC 8020: does a name exist (anything but NXDOMAIN)?
enum class Existence { exists, nxdomain, temperror };

// Trace - whether a Discovery records its queries and answers as text (trace()).
enum class Trace { off, on };

// Discovery - the DNS side of one DMARC evaluation: resolver, mode, memo and trace.
class Discovery {
 public:
  // `psl` must be set (and outlive this) in Mode::psl; it is not used in Mode::treewalk.
  // trace() stays empty unless `trace` is Trace::on.
  Discovery(dns::Resolver& resolver, Mode mode, const PublicSuffixList* psl = nullptr,
            Trace trace = Trace::off);

  // discover_policy - RFC 9989 4.10.1 (treewalk) or RFC 7489 6.6.3 (psl) for a checked,
  // lower-case Author Domain.
  asio::awaitable<PolicyDiscovery> discover_policy(std::string author_domain);
  // organizational_domain - RFC 9989 4.10.2 (treewalk) or RFC 7489 3.2 (psl).
  asio::awaitable<OrganizationalDomain> organizational_domain(std::string domain);
  // known_organizational_domain - what organizational_domain(domain) gives, when this
  // Discovery already knows it (no DNS query needed); nullopt otherwise.
  std::optional<OrganizationalDomain> known_organizational_domain(std::string_view domain) const;
  // exists - RFC 9989 3.2.13 / RFC 8020 by an A query at `domain`.
  asio::awaitable<Existence> exists(std::string domain);

  const std::vector<TraceStep>& trace() const { return trace_; }
  Mode mode() const { return mode_; }

 private:
  enum class Lookup { none, record, malformed, temporary };
  struct Answer {
    Lookup lookup = Lookup::none;
    Record record;
    std::string detail;  // temporary, malformed: why (goes into the PolicyDiscovery's detail)
  };
  // Entry - a memoised answer for "_dmarc." + domain; entries are only appended, so an
  // index into memo_ stays valid for the Discovery's life.
  struct Entry {
    std::string domain;
    Answer answer;
  };
  // Hit - a valid record a walk found: a name of the walk (a view into its start name) and
  // its memo_ index.
  struct Hit {
    std::string_view domain;
    Psd psd = Psd::u;
    std::size_t entry = 0;
  };
  struct Walk {
    std::array<Hit, kMaxTreeWalkQueries> hits;
    std::size_t count = 0;
    Lookup stopped = Lookup::none;  // temporary or malformed: the walk could not finish
    std::string detail;
    std::span<const Hit> found() const { return {hits.data(), count}; }
  };
  static constexpr std::size_t kNotMemoised = static_cast<std::size_t>(-1);

  std::size_t memoised(std::string_view domain) const;
  // lookup - the memo_ index of the answer for `domain` (asked when not memoised yet); the
  // caller keeps `domain` alive until the lookup completes.
  asio::awaitable<std::size_t> lookup(std::string_view domain);
  asio::awaitable<Walk> walk(std::string_view start);
  asio::awaitable<PolicyDiscovery> discover_by_tree_walk(std::string author_domain);
  asio::awaitable<PolicyDiscovery> discover_by_psl(std::string author_domain);
  // organizational_of_walk - the Organizational Domain a finished walk from `domain` gives
  // (RFC 9989 4.10.2), memoised.
  const OrganizationalDomain& organizational_of_walk(std::string_view domain, Walk& walk);
  // psl_organizational - RFC 7489 3.2 through the PSL, memoised.
  const OrganizationalDomain& psl_organizational(std::string_view domain);
  // classify - the Answer of a TXT answer; `text` (when not null) gets the trace text.
  Answer classify(const dns::Answer& answer, std::string* text) const;

  dns::Resolver& resolver_;
  Mode mode_;
  const PublicSuffixList* psl_;
  bool tracing_;
  std::vector<Entry> memo_;
  std::vector<std::pair<std::string, OrganizationalDomain>> organizational_;
  std::vector<TraceStep> trace_;
};

// policy_found - a PolicyDiscovery for `record` published at `domain` (applicable() applied:
// permerror when RFC 9989 4.10.1 says no DMARC processing).
PolicyDiscovery policy_found(std::string domain, const Record& record, bool author_record);

}  // namespace postseal::dmarc
