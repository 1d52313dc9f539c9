// xml.cpp - the RFC 9990 report document (see xml.hpp).
#include "core/dmarc_report/xml.hpp"

#include <fmt/format.h>

namespace postseal::dmarc_report {
namespace {

// utf8_length - the length of the valid UTF-8 sequence at the start of `s`, 0 if none
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_length(std::string_view s) {
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = b(0);
  std::size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
  if (n == 0 || c > 0xf4 || s.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i)
    if ((b(i) & 0xc0) != 0x80) return 0;
  if (c == 0xe0 && b(1) < 0xa0) return 0;   // overlong
  if (c == 0xed && b(1) >= 0xa0) return 0;  // surrogates
  if (c == 0xf0 && b(1) < 0x90) return 0;   // overlong
  if (c == 0xf4 && b(1) >= 0x90) return 0;  // above U+10FFFF
  return n;
}

// Writer - element output with indentation, flushed to the sink in chunks.
class Writer {
 public:
  explicit Writer(const Sink& sink) : sink_(sink) {}
  void open(std::string_view name) {
    indent();
    out_ += fmt::format("<{}>\n", name);
    ++depth_;
  }
  void close(std::string_view name) {
    --depth_;
    indent();
    out_ += fmt::format("</{}>\n", name);
    flush_if_full();
  }
  void element(std::string_view name, std::string_view text) {
    indent();
    out_ += fmt::format("<{0}>{1}</{0}>\n", name, xml_text(text));
  }
  void raw(std::string_view text) { out_ += text; }
  void nest() { ++depth_; }
  void finish() {
    if (!out_.empty()) sink_(out_);
    out_.clear();
  }

 private:
  void indent() { out_.append(2 * depth_, ' '); }
  void flush_if_full() {
    if (out_.size() >= kChunkOctets) finish();
  }
  const Sink& sink_;
  std::string out_;
  int depth_ = 0;
};

// write_metadata - report_metadata; RFC 7489's has no generator.
void write_metadata(Writer& w, const ReportMetadata& m, ReportFormat f) {
  w.open("report_metadata");
  w.element("org_name", m.org_name);
  w.element("email", m.email);
  if (!m.extra_contact_info.empty()) w.element("extra_contact_info", m.extra_contact_info);
  w.element("report_id", m.report_id);
  w.open("date_range");
  w.element("begin", std::to_string(m.period.begin()));
  w.element("end", std::to_string(m.period.end()));
  w.close("date_range");
  if (f == ReportFormat::rfc9990) w.element("generator", "postseal");
  w.close("report_metadata");
}

void write_policy(Writer& w, const PolicyPublished& p) {
  w.open("policy_published");
  w.element("domain", p.domain);
  w.element("p", p.p);
  if (!p.sp.empty()) w.element("sp", p.sp);
  if (!p.np.empty()) w.element("np", p.np);
  w.element("adkim", p.adkim);
  w.element("aspf", p.aspf);
  if (!p.discovery_method.empty()) w.element("discovery_method", p.discovery_method);
  w.element("testing", p.testing);
  w.close("policy_published");
}

// write_row - RowType and PolicyEvaluatedType. RFC 7489 knows neither the disposition "pass"
// (it says "none") nor the override "policy_test_mode" (the nearest is "sampled_out").
void write_row(Writer& w, const Row& r, std::int64_t count, ReportFormat f) {
  const bool old = f == ReportFormat::rfc7489;
  w.open("row");
  w.element("source_ip", r.source_ip);
  w.element("count", std::to_string(count));
  w.open("policy_evaluated");
  w.element("disposition", old && r.disposition == "pass" ? std::string_view("none") : r.disposition);
  w.element("dkim", r.dkim_aligned ? "pass" : "fail");
  w.element("spf", r.spf_aligned ? "pass" : "fail");
  if (!r.override_type.empty()) {
    w.open("reason");
    w.element("type", old && r.override_type == "policy_test_mode" ? std::string_view("sampled_out")
                                                                   : r.override_type);
    w.close("reason");
  }
  w.close("policy_evaluated");
  w.close("row");
}

// write_auth_results - AuthResultType: every DKIM result, then SPF. RFC 9990 leaves spf out
// when no domain was checked and knows only the scope mfrom; RFC 7489 requires one spf element
// (then the envelope or header domain with result none) and knows helo too.
void write_auth_results(Writer& w, const Row& r, ReportFormat f) {
  const bool old = f == ReportFormat::rfc7489;
  w.open("auth_results");
  for (const auto& d : r.dkim) {
    w.open("dkim");
    w.element("domain", d.domain);
    w.element("selector", d.selector);
    w.element("result", d.result);
    w.close("dkim");
  }
  if (!r.spf_domain.empty()) {
    w.open("spf");
    w.element("domain", r.spf_domain);
    if (old) w.element("scope", r.spf_scope == "helo" ? "helo" : "mfrom");
    else if (r.spf_scope == "mfrom") w.element("scope", r.spf_scope);
    w.element("result", r.spf_result);
    w.close("spf");
  } else if (old) {
    w.open("spf");
    w.element("domain", r.envelope_from.empty() ? r.header_from : r.envelope_from);
    w.element("scope", "mfrom");
    w.element("result", "none");
    w.close("spf");
  }
  w.close("auth_results");
}

// write_policy_7489 - RFC 7489 PolicyPublishedType: sp, pct and fo are required there.
void write_policy_7489(Writer& w, const PolicyPublished& p) {
  w.open("policy_published");
  w.element("domain", p.domain);
  w.element("adkim", p.adkim);
  w.element("aspf", p.aspf);
  w.element("p", p.p);
  w.element("sp", p.sp.empty() ? p.p : p.sp);
  w.element("pct", "100");  // RFC 9989 dropped pct: the policy applies to every message
  w.element("fo", "0");
  w.close("policy_published");
}

// write_record - one record; RFC 7489 requires envelope_from and puts it first.
void write_record(Writer& w, const CountedRow& c, ReportFormat f) {
  const Row r = c.row();
  w.open("record");
  write_row(w, r, c.count, f);
  w.open("identifiers");
  if (f == ReportFormat::rfc7489) w.element("envelope_from", r.envelope_from);
  w.element("header_from", r.header_from);
  if (f == ReportFormat::rfc9990 && !r.envelope_from.empty()) w.element("envelope_from", r.envelope_from);
  w.close("identifiers");
  write_auth_results(w, r, f);
  w.close("record");
}

}  // namespace

std::string xml_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      std::size_t n = utf8_length(text.substr(i));
      out += n ? text.substr(i, n) : std::string_view("?");
      i += n ? n : 1;
      continue;
    }
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.push_back(c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c));
    }
    ++i;
  }
  return out;
}

std::optional<ReportFormat> report_format_from_string(std::string_view text) {
  if (text == "rfc9990") return ReportFormat::rfc9990;
  if (text == "rfc7489") return ReportFormat::rfc7489;
  return std::nullopt;
}

std::string_view to_string(ReportFormat f) {
  return f == ReportFormat::rfc7489 ? "rfc7489" : "rfc9990";
}

void write_report(const ReportMetadata& meta, const DomainData& data, const Sink& sink,
                  ReportFormat format) {
  const bool old = format == ReportFormat::rfc7489;
  Writer w(sink);
  w.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  w.raw(fmt::format("<feedback xmlns=\"{}\">\n", old ? kNamespace7489 : kNamespace));
  w.nest();
  w.element("version", "1.0");
  write_metadata(w, meta, format);
  if (old) write_policy_7489(w, data.policy);
  else write_policy(w, data.policy);
  for (const auto& row : data.rows) write_record(w, row, format);
  w.raw("</feedback>\n");
  w.finish();
}

}  // namespace postseal::dmarc_report
