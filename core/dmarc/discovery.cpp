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

std::vector<std::string_view> split_labels(std::string_view domain) {
  std::vector<std::string_view> labels;
  while (true) {
    std::size_t dot = domain.find('.');
    labels.push_back(domain.substr(0, dot));
    if (dot == std::string_view::npos) return labels;
    domain.remove_prefix(dot + 1);
  }
}

// last_labels - the name made of the `n` right-most labels of `domain`.
std::string last_labels(std::string_view domain, std::size_t n) {
  auto labels = split_labels(domain);
  n = std::min(n, labels.size());
  std::string out;
  for (std::size_t i = labels.size() - n; i < labels.size(); ++i) {
    if (!out.empty()) out += '.';
    out += labels[i];
  }
  return out;
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
  std::string name = to_lower(text);
  for (std::string_view label : split_labels(name)) {
    if (label.empty() || label.size() > kMaxLabelOctets) return std::nullopt;
    if (!std::all_of(label.begin(), label.end(), is_label_octet)) return std::nullopt;
  }
  return name;
}

std::vector<std::string> tree_walk_names(std::string_view domain) {
  std::vector<std::string> names{std::string(domain)};
  std::size_t labels = split_labels(domain).size();
  std::size_t next = labels >= kMaxTreeWalkQueries ? kTreeWalkShortLabels : labels - 1;
  for (; next >= 1 && names.size() < kMaxTreeWalkQueries; --next) {
    names.push_back(last_labels(domain, next));
  }
  return names;
}

std::string select_organizational_domain(std::string_view start, const std::vector<Found>& found) {
  for (const Found& f : found) {
    if (f.record.psd == Psd::n) return f.domain;  // RFC 9989 4.10.2 step 1
    if (f.record.psd == Psd::y && f.domain != start) {  // step 2: one label below the PSD
      return last_labels(start, split_labels(f.domain).size() + 1);
    }
  }
  if (found.empty()) return std::string(start);  // "the initial target domain"
  return found.back().domain;                     // step 3: fewest labels
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

Discovery::Discovery(dns::Resolver& resolver, Mode mode, const PublicSuffixList* psl)
    : resolver_(resolver), mode_(mode), psl_(psl) {}

Discovery::Answer Discovery::classify(const dns::Answer& answer, std::string& text) const {
  if (answer.temporary()) {
    text = rcode_text(answer);
    return {Lookup::temporary, {}, text};
  }
  std::vector<std::string> dmarc;
  std::size_t txt = 0;
  for (const auto& r : answer.records) {
    if (r.type != dns::RrType::txt) continue;
    ++txt;
    if (std::string joined = r.text(); is_dmarc_record(joined)) dmarc.push_back(std::move(joined));
  }
  if (dmarc.empty()) {
    text = answer.rcode == dns::Rcode::nxdomain ? "NXDOMAIN"
           : txt == 0 ? "NOERROR, no TXT record"
                      : fmt::format("no DMARC record: {} TXT record{} without v=DMARC1", txt,
                                    txt == 1 ? "" : "s");
    return {};
  }
  if (dmarc.size() > 1) {
    text = fmt::format("{} DMARC records, all discarded: RFC 9989 4.10", dmarc.size());
    return {};
  }
  auto record = parse_record(dmarc.front());
  if (!record) {
    text = fmt::format("malformed DMARC record, {}: \"{}\"", record.error().detail,
                       printable(dmarc.front(), kTraceRecordOctets));
    return {Lookup::malformed, {}, text};
  }
  text = fmt::format("\"{}\"", printable(dmarc.front(), kTraceRecordOctets));
  return {Lookup::record, std::move(*record), ""};
}

asio::awaitable<Discovery::Answer> Discovery::lookup(std::string domain) {
  if (auto it = memo_.find(domain); it != memo_.end()) co_return it->second;
  std::string query = std::string(kPrefix) + domain;
  Answer result;
  std::string text;
  if (query.size() > kMaxDomainOctets) {
    text = fmt::format("not asked: longer than {} octets, no record", kMaxDomainOctets);
  } else {
    dns::Answer answer = co_await resolver_.lookup(query, dns::RrType::txt);
    result = classify(answer, text);
  }
  trace_.push_back({query + " TXT", text});
  memo_.emplace(domain, result);
  co_return result;
}

asio::awaitable<Discovery::Walk> Discovery::walk(std::string start) {
  Walk walk;
  const std::vector<std::string> names = tree_walk_names(start);
  for (const std::string& name : names) {
    Answer answer = co_await lookup(name);
    if (answer.lookup == Lookup::temporary || answer.lookup == Lookup::malformed) {
      walk.stopped = answer.lookup;
      walk.detail = fmt::format("_dmarc.{}: {}", name, answer.detail);
      co_return walk;
    }
    if (answer.lookup != Lookup::record) continue;
    Psd psd = answer.record.psd;
    walk.found.push_back({name, std::move(answer.record)});
    if (psd != Psd::u) break;  // RFC 9989 4.10 steps 2 and 6
  }
  co_return walk;
}

namespace {

// stopped_status - the outcome of a lookup or walk that did not finish.
Status stopped_status(bool temporary) { return temporary ? Status::temperror : Status::permerror; }

}  // namespace

asio::awaitable<PolicyDiscovery> Discovery::discover_policy(std::string author_domain) {
  if (mode_ == Mode::psl) co_return co_await discover_by_psl(std::move(author_domain));
  co_return co_await discover_by_tree_walk(std::move(author_domain));
}

asio::awaitable<PolicyDiscovery> Discovery::discover_by_tree_walk(std::string author) {
  Answer own = co_await lookup(author);
  if (own.lookup == Lookup::record) co_return policy_found(author, own.record, true);
  Walk walk = co_await this->walk(author);
  PolicyDiscovery out;
  if (walk.stopped != Lookup::none) {
    out.status = stopped_status(walk.stopped == Lookup::temporary);
    out.detail = walk.detail;
    co_return out;
  }
  std::string org = select_organizational_domain(author, walk.found);
  for (const Found& f : walk.found) {
    if (f.domain == org) co_return policy_found(f.domain, f.record, false);
  }
  for (const Found& f : walk.found) {  // the Public Suffix Domain's record
    if (f.record.psd == Psd::y) co_return policy_found(f.domain, f.record, false);
  }
  out.detail = "no DMARC record for the Author Domain, its Organizational Domain or its PSD";
  co_return out;
}

asio::awaitable<PolicyDiscovery> Discovery::discover_by_psl(std::string author) {
  PolicyDiscovery out;
  std::vector<std::string> names{author};
  if (std::string org = psl_->organizational_domain(author); org != author) names.push_back(org);
  for (const std::string& name : names) {
    Answer answer = co_await lookup(name);
    if (answer.lookup == Lookup::record) {
      co_return policy_found(name, answer.record, name == author);
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
  if (mode_ == Mode::psl) {
    co_return OrganizationalDomain{Status::found, psl_->organizational_domain(domain), ""};
  }
  Walk walk = co_await this->walk(domain);
  if (walk.stopped != Lookup::none) {
    co_return OrganizationalDomain{stopped_status(walk.stopped == Lookup::temporary), "",
                                   walk.detail};
  }
  co_return OrganizationalDomain{Status::found, select_organizational_domain(domain, walk.found),
                                 ""};
}

asio::awaitable<Existence> Discovery::exists(std::string domain) {
  dns::Answer answer = co_await resolver_.lookup(domain, dns::RrType::a);
  Existence result = answer.temporary() ? Existence::temperror
                     : answer.rcode == dns::Rcode::nxdomain ? Existence::nxdomain
                                                            : Existence::exists;
  std::string text = rcode_text(answer);
  if (result == Existence::nxdomain) text += ": the domain does not exist, RFC 8020";
  if (result == Existence::exists) text += ": the domain exists";
  trace_.push_back({domain + " A", text});
  co_return result;
}

}  // namespace postseal::dmarc
