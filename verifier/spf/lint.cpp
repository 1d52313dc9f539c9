// lint.cpp - static walk of an SPF policy for `postseal spf --lint` (see lint.hpp).
#include "verifier/spf/lint.hpp"

#include "core/util/text.hpp"
#include "verifier/spf/macro.hpp"
#include "verifier/spf/record.hpp"

#include <fmt/format.h>

#include <set>

// GCC 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames at -O2.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace postseal::spf {
namespace {

class Linter {
 public:
  explicit Linter(dns::Resolver& resolver) : resolver_(resolver) {}

  asio::awaitable<LintReport> run(const std::string& domain, const std::string& override_text) {
    co_await walk(domain, 0, override_text);
    report_.findings.push_back({report_.dns_terms > kMaxDnsTerms ? LintLevel::error : LintLevel::info, domain,
                                fmt::format("DNS-querying terms: {} of {}", report_.dns_terms, kMaxDnsTerms)});
    report_.findings.push_back({report_.void_lookups > kMaxVoidLookups ? LintLevel::error : LintLevel::info, domain,
                                fmt::format("void lookups: {} of {}", report_.void_lookups, kMaxVoidLookups)});
    co_return std::move(report_);
  }

 private:
  void add(LintLevel level, const std::string& domain, std::string message) {
    report_.findings.push_back({level, printable(domain), std::move(message)});
  }

  asio::awaitable<dns::Answer> query(const std::string& name, dns::RrType type) {
    dns::Answer a = co_await resolver_.lookup(name, type);
    if (a.temporary()) {
      report_.temporary = true;
      add(LintLevel::error, name, fmt::format("DNS {} for {}", to_string(a.rcode), to_string(type)));
    }
    co_return a;
  }

  // void_check - an a/mx/exists target without macros: does it answer anything?
  asio::awaitable<void> void_check(const Mechanism& m, const std::string& domain) {
    const std::string target = m.domain_spec.empty() ? domain : m.domain_spec;
    if (m.domain_spec.find('%') != std::string::npos) co_return;
    if (m.kind == MechanismKind::mx) {
      auto mx = co_await query(target, dns::RrType::mx);
      if (mx.records.size() > static_cast<std::size_t>(kMaxMxNames))
        add(LintLevel::error, domain, fmt::format("'{}': {} MX names, more than {} is a permerror", printable(m.text), mx.records.size(), kMaxMxNames));
      if (!mx.temporary() && mx.records.empty()) ++report_.void_lookups;
      co_return;
    }
    auto a = co_await query(target, dns::RrType::a);
    if (m.kind == MechanismKind::a && a.records.empty() && !a.temporary()) a = co_await query(target, dns::RrType::aaaa);
    if (!a.temporary() && a.records.empty()) {
      ++report_.void_lookups;
      add(LintLevel::warning, domain, fmt::format("'{}': {} has no address (void lookup)", printable(m.text), printable(target)));
    }
  }

  asio::awaitable<void> walk(const std::string& domain, int depth, const std::string& override_text) {
    if (depth > kMaxRecursion || ++records_ > kMaxLintRecords) {
      add(LintLevel::error, domain, "include/redirect nested too deeply or too many records");
      co_return;
    }
    if (!seen_.insert(to_lower(domain)).second) {
      add(LintLevel::error, domain, "reached more than once through include/redirect (a loop, or a repeated include that costs lookups twice)");
      co_return;
    }
    std::string text = override_text;
    if (text.empty()) {
      auto txt = co_await query(domain, dns::RrType::txt);
      std::vector<std::string> found;
      for (const auto& r : txt.records)
        if (is_spf_record(r.text())) found.push_back(r.text());
      if (found.empty()) {
        if (!txt.temporary()) add(LintLevel::error, domain, "no v=spf1 record");
        co_return;
      }
      if (found.size() > 1) add(LintLevel::error, domain, fmt::format("{} v=spf1 records (permerror)", found.size()));
      text = found.front();
    }
    add(LintLevel::info, domain, fmt::format("record ({} octets): {}", text.size(), printable(text, 600)));
    if (text.size() > kRecordLengthUdp)
      add(LintLevel::warning, domain, fmt::format("record is {} octets, over {}: needs DNS over TCP", text.size(), kRecordLengthUdp));
    else if (text.size() > kRecordLengthAdvice)
      add(LintLevel::warning, domain, fmt::format("record is {} octets, over the {} RFC 7208 3.4 advises", text.size(), kRecordLengthAdvice));
    auto record = parse_record(text);
    if (!record) {
      add(LintLevel::error, domain, fmt::format("syntax error: {}", record.error()));
      co_return;
    }
    co_await walk_terms(*record, domain, depth);
  }

  asio::awaitable<void> walk_terms(const Record& record, const std::string& domain, int depth) {
    for (const auto& m : record.mechanisms) {
      if (!m.queries_dns()) continue;
      ++report_.dns_terms;
      if (m.kind == MechanismKind::ptr)
        add(LintLevel::warning, domain, fmt::format("'{}': ptr is deprecated (RFC 7208 5.5)", printable(m.text)));
      if (m.kind == MechanismKind::include) {
        if (m.domain_spec.find('%') == std::string::npos) co_await walk(m.domain_spec, depth + 1, {});
        else add(LintLevel::info, domain, fmt::format("'{}' uses macros: not followed", printable(m.text)));
      } else if (m.kind != MechanismKind::ptr) {
        co_await void_check(m, domain);
      }
    }
    if (record.redirect) {
      ++report_.dns_terms;
      if (record.redirect->find('%') == std::string::npos) co_await walk(*record.redirect, depth + 1, {});
    }
  }

  dns::Resolver& resolver_;
  LintReport report_;
  std::set<std::string> seen_;
  int records_ = 0;
};

}  // namespace

bool LintReport::has_errors() const {
  for (const auto& f : findings)
    if (f.level == LintLevel::error) return true;
  return false;
}

std::string_view to_string(LintLevel level) {
  switch (level) {
    case LintLevel::info: return "info";
    case LintLevel::warning: return "warning";
    case LintLevel::error: return "error";
  }
  return "?";
}

asio::awaitable<LintReport> lint(dns::Resolver& resolver, std::string domain, std::string record_override) {
  Linter linter(resolver);
  co_return co_await linter.run(domain, record_override);
}

}  // namespace postseal::spf
