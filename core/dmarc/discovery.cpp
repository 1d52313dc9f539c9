// discovery.cpp - RFC 9989 4.10 tree walks, policy discovery and RFC 8020 existence checks
// (see discovery.hpp).
//
// Untrusted input: DNS answers (TXT text quoted through printable() in the trace) and names
// from messages (checked by domain_name() before any query). Bounded: each walk asks the
// names of tree_walk_names() only, every answer is memoised, a TXT answer's records are
// parsed one by one with the bounds of record.hpp.
#include "core/dmarc/discovery.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

// GCC 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames at -O2 (as in
// fuzz/dmarc_record_fuzz.cpp); it shows here since Record grew rua_published.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace postseal::dmarc {
namespace {

// kMaxLabelOctets - RFC 1035 2.3.4.
constexpr std::size_t kMaxLabelOctets = 63;
// kTraceRecordOctets - how much of a record's text a trace line quotes.
constexpr std::size_t kTraceRecordOctets = 160;
constexpr std::string_view kPrefix = "_dmarc.";

bool is_label_octet(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::size_t label_count(std::string_view domain) {
  return static_cast<std::size_t>(std::count(domain.begin(), domain.end(), '.')) + 1;
}

// last_labels - the name made of the `n` right-most labels of `domain` (a view into it).
std::string_view last_labels(std::string_view domain, std::size_t n) {
  std::size_t end = domain.size();
  for (std::size_t dots = 0; end > 0; --end) {
    if (domain[end - 1] == '.' && ++dots == n) return domain.substr(end);
  }
  return domain;
}

// walk_names - RFC 9989 4.10 steps 1-7: the names a walk from `domain` asks for, longest
// first, as views into `domain`; returns how many (at most kMaxTreeWalkQueries).
std::size_t walk_names(std::string_view domain,
                       std::array<std::string_view, kMaxTreeWalkQueries>& names) {
  std::size_t count = 0;
  names[count++] = domain;
  std::size_t labels = label_count(domain);
  std::size_t next = labels >= kMaxTreeWalkQueries ? kTreeWalkShortLabels : labels - 1;
  for (; next >= 1 && count < kMaxTreeWalkQueries; --next) {
    names[count++] = last_labels(domain, next);
  }
  return count;
}

// Candidate - what RFC 9989 4.10.2 needs of a record a walk found.
struct Candidate {
  std::string_view domain;
  Psd psd = Psd::u;
};

// select_organizational - RFC 9989 4.10.2 steps 1-3 (see select_organizational_domain()).
template <typename Candidates, typename Get>
std::string_view select_organizational(std::string_view start, const Candidates& found, Get get) {
  for (const auto& item : found) {
    Candidate f = get(item);
    if (f.psd == Psd::n) return f.domain;        // RFC 9989 4.10.2 step 1
    if (f.psd == Psd::y && f.domain != start) {  // step 2: one label below the PSD
      return last_labels(start, label_count(f.domain) + 1);
    }
  }
  if (std::empty(found)) return start;             // "the initial target domain"
  return get(*std::prev(std::end(found))).domain;  // step 3: fewest labels
}

std::string rcode_text(const dns::Answer& answer) {
  switch (answer.rcode) {
    case dns::Rcode::servfail: return "SERVFAIL, a temporary error";
    case dns::Rcode::timeout: return "timeout, a temporary error";
    case dns::Rcode::nxdomain: return "NXDOMAIN";
    case dns::Rcode::noerror: break;
  }
  return "NOERROR";
}

}  // namespace

std::string_view to_string(Mode m) { return m == Mode::psl ? "psl" : "treewalk"; }

std::optional<Mode> mode_from_string(std::string_view s) {
  if (s == "treewalk") return Mode::treewalk;
  if (s == "psl") return Mode::psl;
  return std::nullopt;
}

std::string_view to_string(Status s) {
  switch (s) {
    case Status::found: return "found";
    case Status::none: return "none";
    case Status::temperror: return "temperror";
    case Status::permerror: return "permerror";
  }
  return "none";
}

std::optional<std::string> domain_name(std::string_view text) {
  if (text.ends_with('.')) text.remove_suffix(1);
  if (text.empty() || text.size() > kMaxDomainOctets) return std::nullopt;
  std::string name(text.size(), '\0');
  std::size_t label = 0;  // octets of the current label so far
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = lower(text[i]);
    name[i] = c;
    if (c == '.') {
      if (label == 0) return std::nullopt;
      label = 0;
    } else if (!is_label_octet(c) || ++label > kMaxLabelOctets) {
      return std::nullopt;
    }
  }
  if (label == 0) return std::nullopt;
  return name;
}

std::vector<std::string> tree_walk_names(std::string_view domain) {
  std::array<std::string_view, kMaxTreeWalkQueries> names;
  std::size_t count = walk_names(domain, names);
  return {names.begin(), names.begin() + static_cast<std::ptrdiff_t>(count)};
}

std::string select_organizational_domain(std::string_view start, const std::vector<Found>& found) {
  return std::string(select_organizational(start, found, [](const Found& f) {
    return Candidate{f.domain, f.record.psd};
  }));
}

PolicyDiscovery policy_found(std::string domain, const Record& record, bool author_record) {
  PolicyDiscovery out;
  out.policy_domain = std::move(domain);
  out.author_record = author_record;
  auto usable = applicable(record);
  if (!usable) {
    out.status = Status::permerror;
    out.detail = fmt::format("record at _dmarc.{} has an invalid p, sp or np and no valid rua: "
                             "no DMARC processing, RFC 9989 4.10.1", out.policy_domain);
    out.record = record;
    return out;
  }
  out.status = Status::found;
  out.record = std::move(*usable);
  return out;
}

Discovery::Discovery(dns::Resolver& resolver, Mode mode, const PublicSuffixList* psl, Trace trace)
    : resolver_(resolver), mode_(mode), psl_(psl), tracing_(trace == Trace::on) {}

Discovery::Answer Discovery::classify(const dns::Answer& answer, std::string* text) const {
  if (answer.temporary()) {
    std::string why = rcode_text(answer);
    if (text != nullptr) *text = why;
    return {Lookup::temporary, {}, std::move(why)};
  }
  // The first DMARC record's text: a view of its only string, or its strings joined.
  std::string joined;
  std::string_view dmarc;
  std::size_t dmarc_count = 0;
  std::size_t txt = 0;
  for (const auto& r : answer.records) {
    if (r.type != dns::RrType::txt) continue;
    ++txt;
    if (r.strings.size() == 1) {
      if (!is_dmarc_record(r.strings.front())) continue;
      if (dmarc_count++ == 0) dmarc = r.strings.front();
    } else if (std::string all = r.text(); is_dmarc_record(all)) {
      if (dmarc_count++ == 0) {
        joined = std::move(all);
        dmarc = joined;
      }
    }
  }
  if (dmarc_count == 0) {
    if (text != nullptr) {
      *text = answer.rcode == dns::Rcode::nxdomain ? "NXDOMAIN"
              : txt == 0                           ? "NOERROR, no TXT record"
                         : fmt::format("no DMARC record: {} TXT record{} without v=DMARC1", txt,
                                       txt == 1 ? "" : "s");
    }
    return {};
  }
  if (dmarc_count > 1) {
    if (text != nullptr) {
      *text = fmt::format("{} DMARC records, all discarded: RFC 9989 4.10", dmarc_count);
    }
    return {};
  }
  auto record = parse_record(dmarc);
  if (!record) {
    std::string why = fmt::format("malformed DMARC record, {}: \"{}\"", record.error().detail,
                                  printable(dmarc, kTraceRecordOctets));
    if (text != nullptr) *text = why;
    return {Lookup::malformed, {}, std::move(why)};
  }
  if (text != nullptr) *text = fmt::format("\"{}\"", printable(dmarc, kTraceRecordOctets));
  return {Lookup::record, std::move(*record), ""};
}

std::size_t Discovery::memoised(std::string_view domain) const {
  for (std::size_t i = 0; i < memo_.size(); ++i) {
    if (memo_[i].domain == domain) return i;
  }
  return kNotMemoised;
}

asio::awaitable<std::size_t> Discovery::lookup(std::string_view domain) {
  if (std::size_t i = memoised(domain); i != kNotMemoised) co_return i;
  Answer result;
  std::string text;
  if (kPrefix.size() + domain.size() > kMaxDomainOctets) {
    if (tracing_) {
      text = fmt::format("not asked: longer than {} octets, no record", kMaxDomainOctets);
    }
  } else {
    std::string query;
    query.reserve(kPrefix.size() + domain.size());
    query.append(kPrefix).append(domain);
    dns::Answer answer = co_await resolver_.lookup(std::move(query), dns::RrType::txt);
    result = classify(answer, tracing_ ? &text : nullptr);
  }
  if (tracing_) trace_.push_back({fmt::format("{}{} TXT", kPrefix, domain), std::move(text)});
  if (memo_.empty()) memo_.reserve(2 * kMaxTreeWalkQueries);
  memo_.push_back({std::string(domain), std::move(result)});
  co_return memo_.size() - 1;
}

asio::awaitable<Discovery::Walk> Discovery::walk(std::string_view start) {
  Walk walk;
  std::array<std::string_view, kMaxTreeWalkQueries> names;
  std::size_t count = walk_names(start, names);
  for (std::size_t n = 0; n < count; ++n) {
    std::string_view name = names[n];
    std::size_t entry = memoised(name);
    if (entry == kNotMemoised) entry = co_await lookup(name);
    const Answer& answer = memo_[entry].answer;
    if (answer.lookup == Lookup::temporary || answer.lookup == Lookup::malformed) {
      walk.stopped = answer.lookup;
      walk.detail = fmt::format("_dmarc.{}: {}", name, answer.detail);
      co_return walk;
    }
    if (answer.lookup != Lookup::record) continue;
    walk.hits[walk.count++] = {name, answer.record.psd, entry};
    if (answer.record.psd != Psd::u) break;  // RFC 9989 4.10 steps 2 and 6
  }
  co_return walk;
}

namespace {

// stopped_status - the outcome of a lookup or walk that did not finish.
Status stopped_status(bool temporary) { return temporary ? Status::temperror : Status::permerror; }

}  // namespace

// discover_policy returns its mode's coroutine itself: one coroutine frame less per call.
asio::awaitable<PolicyDiscovery> Discovery::discover_policy(std::string author_domain) {
  if (mode_ == Mode::psl) return discover_by_psl(std::move(author_domain));
  return discover_by_tree_walk(std::move(author_domain));
}

namespace {

Candidate candidate(const auto& hit) { return Candidate{hit.domain, hit.psd}; }

}  // namespace

const OrganizationalDomain& Discovery::organizational_of_walk(std::string_view domain, Walk& walk) {
  OrganizationalDomain out;
  if (walk.stopped != Lookup::none) {
    out = {stopped_status(walk.stopped == Lookup::temporary), "", walk.detail};
  } else {
    std::string_view org =
        select_organizational(domain, walk.found(), [](const Hit& h) { return candidate(h); });
    out = {Status::found, std::string(org), ""};
  }
  if (organizational_.empty()) organizational_.reserve(4);
  return organizational_.emplace_back(std::string(domain), std::move(out)).second;
}

const OrganizationalDomain& Discovery::psl_organizational(std::string_view domain) {
  for (const auto& [name, known] : organizational_) {
    if (name == domain) return known;
  }
  if (organizational_.empty()) organizational_.reserve(4);
  return organizational_
      .emplace_back(std::string(domain),
                    OrganizationalDomain{Status::found, psl_->organizational_domain(domain), ""})
      .second;
}

std::optional<OrganizationalDomain> Discovery::known_organizational_domain(
    std::string_view domain) const {
  for (const auto& [name, known] : organizational_) {
    if (name == domain) return known;
  }
  return std::nullopt;
}

asio::awaitable<PolicyDiscovery> Discovery::discover_by_tree_walk(std::string author) {
  std::size_t own = memoised(author);
  if (own == kNotMemoised) own = co_await lookup(author);
  if (memo_[own].answer.lookup == Lookup::record) {
    co_return policy_found(std::move(author), memo_[own].answer.record, true);
  }
  Walk walk = co_await this->walk(author);
  // The same walk gives the Author Domain's Organizational Domain (relaxed alignment).
  if (!known_organizational_domain(author)) organizational_of_walk(author, walk);
  PolicyDiscovery out;
  if (walk.stopped != Lookup::none) {
    out.status = stopped_status(walk.stopped == Lookup::temporary);
    out.detail = std::move(walk.detail);
    co_return out;
  }
  std::string_view org =
      select_organizational(author, walk.found(), [](const Hit& h) { return candidate(h); });
  for (const Hit& h : walk.found()) {
    if (h.domain == org) {
      co_return policy_found(std::string(h.domain), memo_[h.entry].answer.record, false);
    }
  }
  for (const Hit& h : walk.found()) {  // the Public Suffix Domain's record
    if (h.psd == Psd::y) {
      co_return policy_found(std::string(h.domain), memo_[h.entry].answer.record, false);
    }
  }
  out.detail = "no DMARC record for the Author Domain, its Organizational Domain or its PSD";
  co_return out;
}

asio::awaitable<PolicyDiscovery> Discovery::discover_by_psl(std::string author) {
  PolicyDiscovery out;
  std::string org = psl_organizational(author).domain;
  std::array<std::string_view, 2> names{author, org};
  std::size_t count = names[1] != author ? 2 : 1;
  for (std::size_t n = 0; n < count; ++n) {
    std::string_view name = names[n];
    std::size_t entry = memoised(name);
    if (entry == kNotMemoised) entry = co_await lookup(name);
    const Answer& answer = memo_[entry].answer;
    if (answer.lookup == Lookup::record) {
      co_return policy_found(std::string(name), answer.record, n == 0);
    }
    if (answer.lookup != Lookup::none) {
      out.status = stopped_status(answer.lookup == Lookup::temporary);
      out.detail = fmt::format("_dmarc.{}: {}", name, answer.detail);
      co_return out;
    }
  }
  out.detail = "no DMARC record for the Author Domain or its PSL Organizational Domain";
  co_return out;
}

asio::awaitable<OrganizationalDomain> Discovery::organizational_domain(std::string domain) {
  if (auto known = known_organizational_domain(domain)) co_return std::move(*known);
  if (mode_ == Mode::psl) co_return psl_organizational(domain);
  Walk walk = co_await this->walk(domain);
  co_return organizational_of_walk(domain, walk);
}

asio::awaitable<Existence> Discovery::exists(std::string domain) {
  dns::Answer answer = co_await resolver_.lookup(domain, dns::RrType::a);
  Existence result = answer.temporary() ? Existence::temperror
                     : answer.rcode == dns::Rcode::nxdomain ? Existence::nxdomain
                                                            : Existence::exists;
  if (tracing_) {
    std::string text = rcode_text(answer);
    if (result == Existence::nxdomain) text += ": the domain does not exist, RFC 8020";
    if (result == Existence::exists) text += ": the domain exists";
    trace_.push_back({domain + " A", std::move(text)});
  }
  co_return result;
}

}  // namespace postseal::dmarc
