// zone_file.cpp - master-file subset reader for --dns-zone (see zone_file.hpp, RFC 1035 5.1).
#include "core/dns/zone_file.hpp"

#include "core/util/text.hpp"

#include <asio/ip/address.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <vector>

namespace postseal::dns {
namespace {

// Token - one word or quoted string of a record, escapes already decoded.
struct Token {
  std::string text;
  bool quoted = false;
  bool escaped = false;  // held a backslash escape (not allowed in names, TTLs, types)
};

using Error = std::unexpected<std::string>;

class Reader {
 public:
  Reader(std::string_view source, MemoryZone& zone) : source_(source), zone_(zone) {}
  std::expected<void, std::string> run(std::string_view text);

 private:
  std::expected<void, std::string> scan_line(std::string_view line);
  std::expected<void, std::string> read_quoted(std::string_view line, std::size_t& i);
  std::expected<void, std::string> read_word(std::string_view line, std::size_t& i);
  std::expected<void, std::string> finish_record();
  std::expected<void, std::string> add_record(std::string_view type,
                                              std::span<const Token> rdata);
  Error fail(std::size_t line, std::string_view what) const {
    return Error(fmt::format("{}:{}: {}", printable(source_), line, what));
  }

  std::string_view source_;
  MemoryZone& zone_;
  std::vector<Token> tokens_;
  std::size_t line_no_ = 0;
  std::size_t record_line_ = 0;   // line where the current record started
  std::size_t record_lines_ = 0;  // physical lines it spans so far
  int depth_ = 0;                 // open parentheses
  std::size_t records_ = 0;
};

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_' || c == '*' || c == '/';
}

// check_name - a domain name as written in the file; "." alone is the root.
std::optional<std::string> check_name(const Token& t, std::string& why) {
  if (t.quoted || t.escaped) {
    why = "quoted names and escapes in names are not supported";
    return std::nullopt;
  }
  std::string_view name = t.text;
  if (name == ".") return std::string();
  if (name == "@") {
    why = "'@' needs $ORIGIN, which is not supported: write the full name";
    return std::nullopt;
  }
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  for (char c : name) {
    if (c != '.' && !is_name_char(c)) {
      why = fmt::format("bad character in domain name '{}'", printable(t.text));
      return std::nullopt;
    }
  }
  if (auto err = check_hostname(name, LabelChars::no_controls)) {
    bool length = err->problem == NameProblem::empty || err->problem == NameProblem::too_long;
    why = length ? fmt::format("bad domain name length ({} octets, at most {})", name.size(), kMaxDomainOctets)
                 : fmt::format("bad label in domain name '{}' ({}, at most {} octets)", printable(t.text),
                               to_string(err->problem), kMaxLabelOctets);
    return std::nullopt;
  }
  return std::string(name);
}

template <typename Int>
std::optional<Int> parse_uint(std::string_view s, Int max) {
  Int v{};
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

std::optional<RrType> parse_type(std::string_view s) {
  struct Name {
    std::string_view name;
    RrType type;
  };
  static constexpr Name kTypes[] = {{"A", RrType::a},     {"AAAA", RrType::aaaa},
                                    {"MX", RrType::mx},   {"TXT", RrType::txt},
                                    {"SPF", RrType::spf}, {"PTR", RrType::ptr},
                                    {"CNAME", RrType::cname}, {"NS", RrType::ns}};
  for (const auto& t : kTypes) {
    if (iequals(s, t.name)) return t.type;
  }
  return std::nullopt;
}

using RdataResult = std::expected<Record, std::string>;

RdataResult decode_address(RrType type, const Token& t) {
  std::error_code ec;
  Record rec{.type = type};
  if (type == RrType::a) {
    rec.address = asio::ip::make_address_v4(t.text, ec);
  } else {
    rec.address = asio::ip::make_address_v6(t.text, ec);
  }
  if (ec || t.quoted) {
    return std::unexpected(fmt::format("bad {} address '{}'", to_string(type),
                                       printable(t.text, 60)));
  }
  return rec;
}

RdataResult decode_host(RrType type, std::span<const Token> rdata) {
  Record rec{.type = type};
  std::string why;
  if (type == RrType::mx) {
    auto pref = parse_uint<std::uint16_t>(rdata[0].text, 0xffff);
    if (!pref || rdata[0].quoted) {
      return std::unexpected(fmt::format("bad MX preference '{}' (0-65535)",
                                         printable(rdata[0].text, 20)));
    }
    rec.preference = *pref;
    rdata = rdata.subspan(1);
  }
  auto host = check_name(rdata[0], why);
  if (!host) return std::unexpected(why);
  rec.name = std::move(*host);
  return rec;
}

RdataResult decode_txt(RrType type, std::span<const Token> rdata) {
  if (rdata.empty()) return std::unexpected("TXT needs at least one string");
  if (rdata.size() > kMaxTxtStrings) {
    return std::unexpected(fmt::format("more than {} strings in one TXT record", kMaxTxtStrings));
  }
  Record rec{.type = type};
  for (const auto& t : rdata) {
    if (t.text.size() > kMaxTxtStringLength) {
      return std::unexpected(fmt::format("TXT string of {} octets (at most {}): split it into "
                                         "several quoted strings", t.text.size(),
                                         kMaxTxtStringLength));
    }
    rec.strings.push_back(t.text);
  }
  return rec;
}

// decode_rdata - the RDATA fields of one record of `type` (RFC 1035 5.1, 3.3; RFC 3596 2.4).
RdataResult decode_rdata(RrType type, std::span<const Token> rdata) {
  std::size_t want = 1;
  if (type == RrType::mx) want = 2;
  bool txt = type == RrType::txt || type == RrType::spf;
  if (!txt && rdata.size() != want) {
    return std::unexpected(fmt::format("{} takes {} data field{}, found {}", to_string(type), want,
                                       want == 1 ? "" : "s", rdata.size()));
  }
  switch (type) {
    case RrType::a:
    case RrType::aaaa: return decode_address(type, rdata[0]);
    case RrType::mx:
    case RrType::ptr:
    case RrType::cname:
    case RrType::ns: return decode_host(type, rdata);
    case RrType::txt:
    case RrType::spf: return decode_txt(type, rdata);
  }
  return std::unexpected("unsupported type");
}

std::expected<void, std::string> Reader::run(std::string_view text) {
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > kMaxZoneLineLength) {
      return fail(line_no_, fmt::format("line too long ({} octets, at most {})", line.size(),
                                        kMaxZoneLineLength));
    }
    if (auto r = scan_line(line); !r) return r;
  }
  if (depth_ > 0) return fail(record_line_, "'(' is never closed");
  return {};
}

std::expected<void, std::string> Reader::scan_line(std::string_view line) {
  if (depth_ == 0) {
    record_line_ = line_no_;
    record_lines_ = 0;
    tokens_.clear();
  }
  if (++record_lines_ > kMaxRecordLines) {
    return fail(record_line_, fmt::format("record spans more than {} lines", kMaxRecordLines));
  }
  bool indented = depth_ == 0 && !line.empty() && (line[0] == ' ' || line[0] == '\t');
  std::size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (c == ';') {
      break;
    } else if (c == '(') {
      if (++depth_ > 1) return fail(line_no_, "nested '('");
      ++i;
    } else if (c == ')') {
      if (--depth_ < 0) return fail(line_no_, "')' without '('");
      ++i;
    } else if (c == '"') {
      if (auto r = read_quoted(line, i); !r) return r;
    } else {
      if (auto r = read_word(line, i); !r) return r;
    }
  }
  if (depth_ > 0 || tokens_.empty()) return {};
  if (indented) {
    return fail(record_line_, "record starts with blank space: the owner name must be written");
  }
  return finish_record();
}

// decode_escape - RFC 1035 5.1 `\X` and `\DDD` at line[i] == '\\'; appends the octet.
std::expected<void, std::string> decode_escape(std::string_view line, std::size_t& i,
                                               std::string& out) {
  if (i + 1 >= line.size()) return std::unexpected("'\\' at the end of a line");
  char c = line[i + 1];
  if (c >= '0' && c <= '9') {
    if (line.size() < i + 4) return std::unexpected("\\DDD needs three digits");
    auto v = parse_uint<unsigned>(line.substr(i + 1, 3), 255);
    if (!v) return std::unexpected("\\DDD needs three digits, at most 255");
    out.push_back(static_cast<char>(*v));
    i += 4;
    return {};
  }
  out.push_back(c);
  i += 2;
  return {};
}

std::expected<void, std::string> Reader::read_quoted(std::string_view line, std::size_t& i) {
  Token t;
  t.quoted = true;
  ++i;  // opening quote
  while (true) {
    if (i >= line.size()) return fail(line_no_, "unterminated quoted string");
    char c = line[i];
    if (c == '"') {
      ++i;
      break;
    }
    if (c == '\\') {
      t.escaped = true;
      if (auto r = decode_escape(line, i, t.text); !r) return fail(line_no_, r.error());
    } else {
      t.text.push_back(c);
      ++i;
    }
  }
  tokens_.push_back(std::move(t));
  return {};
}

std::expected<void, std::string> Reader::read_word(std::string_view line, std::size_t& i) {
  Token t;
  while (i < line.size()) {
    char c = line[i];
    if (c == ' ' || c == '\t' || c == ';' || c == '(' || c == ')' || c == '"') break;
    if (c == '\\') {
      t.escaped = true;
      if (auto r = decode_escape(line, i, t.text); !r) return fail(line_no_, r.error());
    } else {
      t.text.push_back(c);
      ++i;
    }
  }
  tokens_.push_back(std::move(t));
  return {};
}

std::expected<void, std::string> Reader::finish_record() {
  const Token& owner = tokens_[0];
  if (!owner.quoted && !owner.text.empty() && owner.text[0] == '$') {
    return fail(record_line_, fmt::format("directive '{}' is not supported",
                                          printable(owner.text, 20)));
  }
  std::size_t i = 1;
  bool have_ttl = false;
  bool have_class = false;
  while (i < tokens_.size() && !tokens_[i].quoted && !tokens_[i].escaped) {
    const std::string& w = tokens_[i].text;
    if (!have_ttl && !w.empty() && w[0] >= '0' && w[0] <= '9') {
      if (!parse_uint<std::uint32_t>(w, 0x7fffffffu)) {
        return fail(record_line_, fmt::format("bad TTL '{}'", printable(w, 20)));
      }
      have_ttl = true;
    } else if (!have_class && iequals(w, "IN")) {
      have_class = true;
    } else {
      break;
    }
    ++i;
  }
  if (i >= tokens_.size()) return fail(record_line_, "record has no type");
  const Token& type = tokens_[i];
  std::span<const Token> rdata(tokens_.data() + i + 1, tokens_.size() - i - 1);
  if (type.quoted || type.escaped) return fail(record_line_, "the type must not be quoted");
  return add_record(type.text, rdata);
}

std::expected<void, std::string> Reader::add_record(std::string_view type_text,
                                                    std::span<const Token> rdata) {
  std::string why;
  auto owner = check_name(tokens_[0], why);
  if (!owner) return fail(record_line_, why);
  if (owner->empty()) return fail(record_line_, "records at the root are not supported");
  if (++records_ > kMaxZoneRecords) {
    return fail(record_line_, fmt::format("more than {} records", kMaxZoneRecords));
  }
  if (iequals(type_text, "TIMEOUT")) {
    if (!rdata.empty()) return fail(record_line_, "TIMEOUT takes no data");
    zone_.add_timeout(*owner);
    return {};
  }
  auto type = parse_type(type_text);
  if (!type) {
    return fail(record_line_, fmt::format("unsupported type '{}' (A AAAA MX TXT SPF PTR CNAME NS "
                                          "TIMEOUT)", printable(type_text, 20)));
  }
  auto rec = decode_rdata(*type, rdata);
  if (!rec) return fail(record_line_, rec.error());
  zone_.add(*owner, std::move(*rec));
  return {};
}

}  // namespace

std::expected<void, std::string> read_zone_text(std::string_view text, std::string_view source,
                                                MemoryZone& zone) {
  Reader reader(source, zone);
  return reader.run(text);
}

std::expected<void, std::string> read_zone_file(const std::filesystem::path& path,
                                                MemoryZone& zone) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::unexpected(fmt::format("{}: cannot open: {}", printable(path.string()),
                                       std::strerror(errno)));
  }
  std::string text;
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxZoneFileSize) {
      return std::unexpected(fmt::format("{}: file larger than {} octets",
                                         printable(path.string()), kMaxZoneFileSize));
    }
  }
  if (in.bad()) return std::unexpected(fmt::format("{}: read error", printable(path.string())));
  return read_zone_text(text, path.string(), zone);
}

}  // namespace postseal::dns
