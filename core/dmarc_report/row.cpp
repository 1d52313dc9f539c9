// row.cpp - stored form of report rows and policies (see row.hpp).
#include "core/dmarc_report/row.hpp"

#include <openssl/evp.h>

#include <array>
#include <cassert>
#include <cctype>

namespace postseal::dmarc_report {
namespace {

constexpr std::string_view kRowTag = "r1";
constexpr std::string_view kPolicyTag = "p1";
constexpr std::size_t kRowFixedFields = 11;
constexpr std::size_t kPolicyFixedFields = 10;
constexpr char kHex[] = "0123456789ABCDEF";

// needs_escape - octets that would break the tab-separated line.
bool needs_escape(unsigned char c) { return c == '%' || c < 0x20 || c == 0x7f; }

// append_field - a tab (unless first), then `value` cut to kMaxFieldOctets and escaped.
void append_field(std::string& out, std::string_view value) {
  if (!out.empty()) out.push_back('\t');
  for (unsigned char c : value.substr(0, kMaxFieldOctets)) {
    if (needs_escape(c)) {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// unescape - one field back; nullopt for a bad escape or an over-long value.
std::optional<std::string> unescape(std::string_view field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '%') {
      out.push_back(field[i]);
      continue;
    }
    if (i + 2 >= field.size()) return std::nullopt;  // "%X" at the end
    int hi = hex_value(field[i + 1]), lo = hex_value(field[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  if (out.size() > kMaxFieldOctets) return std::nullopt;
  return out;
}

// split - the unescaped fields of a line; nullopt when one is malformed.
std::optional<std::vector<std::string>> split(std::string_view text) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    auto tab = text.find('\t', start);
    auto field = unescape(text.substr(start, tab == std::string_view::npos ? tab : tab - start));
    if (!field) return std::nullopt;
    fields.push_back(std::move(*field));
    if (tab == std::string_view::npos) return fields;
    start = tab + 1;
  }
}

std::optional<bool> flag(std::string_view f) {
  if (f == "1") return true;
  if (f == "0") return false;
  return std::nullopt;
}

}  // namespace

std::string encode_row(const Row& r) {
  std::string out;
  for (std::string_view f :
       {kRowTag, std::string_view(r.source_ip), std::string_view(r.header_from),
        std::string_view(r.envelope_from), std::string_view(r.spf_domain),
        std::string_view(r.spf_scope), std::string_view(r.spf_result),
        std::string_view(r.disposition), std::string_view(r.dkim_aligned ? "1" : "0"),
        std::string_view(r.spf_aligned ? "1" : "0"), std::string_view(r.override_type)})
    append_field(out, f);
  for (std::size_t i = 0; i < r.dkim.size() && i < kMaxDkimPerRow; ++i) {
    append_field(out, r.dkim[i].domain);
    append_field(out, r.dkim[i].selector);
    append_field(out, r.dkim[i].result);
  }
  return out;
}

std::optional<Row> decode_row(std::string_view text) {
  auto f = split(text);
  if (!f || f->size() < kRowFixedFields || (*f)[0] != kRowTag) return std::nullopt;
  std::size_t extra = f->size() - kRowFixedFields;
  if (extra % 3 != 0 || extra / 3 > kMaxDkimPerRow) return std::nullopt;
  auto dkim_aligned = flag((*f)[8]), spf_aligned = flag((*f)[9]);
  if (!dkim_aligned || !spf_aligned) return std::nullopt;
  Row r{(*f)[1], (*f)[2], (*f)[3],       (*f)[4],      (*f)[5], (*f)[6],
        {},      (*f)[7], *dkim_aligned, *spf_aligned, (*f)[10]};
  for (std::size_t i = kRowFixedFields; i < f->size(); i += 3)
    r.dkim.push_back({(*f)[i], (*f)[i + 1], (*f)[i + 2]});
  return r;
}

std::string encode_policy(const PolicyPublished& p) {
  std::string out;
  for (std::string_view f :
       {kPolicyTag, std::string_view(p.domain), std::string_view(p.p), std::string_view(p.sp),
        std::string_view(p.np), std::string_view(p.adkim), std::string_view(p.aspf),
        std::string_view(p.testing), std::string_view(p.psd), std::string_view(p.discovery_method)})
    append_field(out, f);
  for (std::size_t i = 0; i < p.rua.size() && i < kMaxRuaPerDomain; ++i)
    append_field(out, p.rua[i]);
  return out;
}

std::optional<PolicyPublished> decode_policy(std::string_view text) {
  auto f = split(text);
  if (!f || f->size() < kPolicyFixedFields || (*f)[0] != kPolicyTag) return std::nullopt;
  if (f->size() - kPolicyFixedFields > kMaxRuaPerDomain) return std::nullopt;
  PolicyPublished p{(*f)[1], (*f)[2], (*f)[3], (*f)[4], (*f)[5],
                    (*f)[6], (*f)[7], (*f)[8], (*f)[9], {}};
  for (std::size_t i = kPolicyFixedFields; i < f->size(); ++i) p.rua.push_back((*f)[i]);
  return p;
}

std::string digest(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  [[maybe_unused]] int ok =
      EVP_Digest(text.data(), text.size(), md.data(), &len, EVP_sha256(), nullptr);
  assert(ok == 1 && len >= 16);
  std::string out;
  for (unsigned int i = 0; i < 16; ++i) {
    out.push_back(static_cast<char>(std::tolower(kHex[md[i] >> 4])));
    out.push_back(static_cast<char>(std::tolower(kHex[md[i] & 0xf])));
  }
  return out;
}

}  // namespace postseal::dmarc_report
