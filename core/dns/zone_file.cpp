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
  std::string raw;  // as written (words only): names are decoded from it, label by label
  bool quoted = false;
  bool escaped = false;  // held a backslash escape (not allowed in TTLs, types)
};

// Origin - the $ORIGIN in force (RFC 1035 5.1): unset until a directive gives one; "" is the root.
using Origin = std::optional<std::string>;

using Error = std::unexpected<std::string>;

class Reader {
 public:
  Reader(std::string_view source, MemoryZone& zone) : source_(source), zone_(zone) {}
  std::expected<void, std::string> run(std::string_view text);

 private:
  std::expected<void, std::string> scan_line(std::string_view line);
  std::expected<void, std::string> read_quoted(std::string_view line, std::size_t& i);
  std::expected<void, std::string> read_word(std::string_view line, std::size_t& i);
  std::expected<void, std::string> take_octet(std::string_view line, std::size_t& i, Token& t);
  std::expected<void, std::string> finish_record();
  std::expected<void, std::string> directive(std::string_view name, std::span<const Token> args);
  std::expected<void, std::string> add_record(const std::string& owner, std::string_view type,
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
  bool indented_ = false;         // the record began with blank space: the previous owner
  std::size_t records_ = 0;
  Origin origin_;
  std::optional<std::string> last_owner_;
};

// is_name_char - an octet a name may hold unescaped: printable ASCII (BIND writes `foo:bar`
// and `a%b` as they are, and escapes the rest as \DDD). The word reader has already split on
// blank space, quotes, parentheses and ';'.
bool is_name_char(char c) { return c > ' ' && c < 0x7f; }

// decode_escape - RFC 1035 5.1 `\X` and `\DDD` at line[i] == '\\'; appends the octet.
std::expected<void, std::string> decode_escape(std::string_view line, std::size_t& i,
                                               std::string& out);

// DecodedName - a name as written, escapes decoded; `absolute` when it ended with a dot.
struct DecodedName {
  std::string text;
  bool absolute = false;
};

// decode_name_text - split `raw` on unescaped dots and decode `\X` / `\DDD` in each label
// (RFC 1035 5.1). An escaped octet may be anything the label checks allow; an unescaped one
// must be a name character. An escaped dot inside a label has no text form here: refused.
std::expected<DecodedName, std::string> decode_name_text(std::string_view raw) {
  DecodedName out;
  std::size_t i = 0;
  while (i < raw.size()) {
    char c = raw[i];
    out.absolute = false;
    if (c == '\\') {
      std::string octet;
      if (auto r = decode_escape(raw, i, octet); !r) return std::unexpected(r.error());
      if (octet == ".") return std::unexpected("an escaped '.' inside a label is not supported");
      out.text += octet;
      continue;
    }
    if (c == '.') {
      out.absolute = true;
    } else if (!is_name_char(c)) {
      return std::unexpected(fmt::format("bad character in domain name '{}'", printable(raw)));
    }
    out.text.push_back(c);
    ++i;
  }
  if (out.absolute) out.text.pop_back();
  return out;
}

// check_name - a domain name as written in the file: "." is the root, "@" the origin, a name
// without the final dot is relative to the origin (taken as written when there is none).
std::optional<std::string> check_name(const Token& t, const Origin& origin, std::string& why) {
  if (t.quoted) {
    why = "quoted names are not supported";
    return std::nullopt;
  }
  if (t.raw == ".") return std::string();
  if (t.raw == "@") {
    if (origin) return *origin;
    why = "'@' needs an earlier $ORIGIN";
    return std::nullopt;
  }
  auto decoded = decode_name_text(t.raw);
  if (!decoded) {
    why = decoded.error();
    return std::nullopt;
  }
  std::string name = std::move(decoded->text);
  if (!decoded->absolute && origin && !origin->empty()) name += "." + *origin;
  if (auto err = check_hostname(name, LabelChars::no_controls)) {
    bool length = err->problem == NameProblem::empty || err->problem == NameProblem::too_long;
    why = length ? fmt::format("bad domain name length ({} octets, at most {})", name.size(), kMaxDomainOctets)
                 : fmt::format("bad label in domain name '{}' ({}, at most {} octets)", printable(t.raw),
                               to_string(err->problem), kMaxLabelOctets);
    return std::nullopt;
  }
  return name;
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

RdataResult decode_host(RrType type, std::span<const Token> rdata, const Origin& origin) {
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
  auto host = check_name(rdata[0], origin, why);
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
RdataResult decode_rdata(RrType type, std::span<const Token> rdata, const Origin& origin) {
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
    case RrType::ns: return decode_host(type, rdata, origin);
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
    indented_ = !line.empty() && (line[0] == ' ' || line[0] == '\t');
  }
  if (++record_lines_ > kMaxRecordLines) {
    return fail(record_line_, fmt::format("record spans more than {} lines", kMaxRecordLines));
  }
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
  return finish_record();
}

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
    if (auto r = take_octet(line, i, t); !r) return r;
  }
  tokens_.push_back(std::move(t));
  return {};
}

// take_octet - the octet at `i` appended to `t` (a \X or \DDD escape decoded); `i` moves past it.
std::expected<void, std::string> Reader::take_octet(std::string_view line, std::size_t& i, Token& t) {
  if (line[i] != '\\') {
    t.text.push_back(line[i++]);
    return {};
  }
  t.escaped = true;
  if (auto r = decode_escape(line, i, t.text); !r) return fail(line_no_, r.error());
  return {};
}

std::expected<void, std::string> Reader::read_word(std::string_view line, std::size_t& i) {
  Token t;
  std::size_t start = i;
  while (i < line.size()) {
    char c = line[i];
    if (c == ' ' || c == '\t' || c == ';' || c == '(' || c == ')' || c == '"') break;
    if (auto r = take_octet(line, i, t); !r) return r;
  }
  t.raw = std::string(line.substr(start, i - start));
  tokens_.push_back(std::move(t));
  return {};
}

// directive - $ORIGIN NAME and $TTL SECONDS (RFC 1035 5.1; RFC 2308 4). TTLs are read and
// checked but not kept: MemoryZone answers are never cached.
std::expected<void, std::string> Reader::directive(std::string_view name,
                                                   std::span<const Token> args) {
  bool origin = iequals(name, "$ORIGIN");
  if (!origin && !iequals(name, "$TTL")) {
    return fail(record_line_, fmt::format("directive '{}' is not supported ($ORIGIN, $TTL)",
                                          printable(name, 20)));
  }
  if (args.size() != 1) return fail(record_line_, fmt::format("{} takes one field", name));
  if (!origin) {
    if (args[0].quoted || !parse_uint<std::uint32_t>(args[0].raw, 0x7fffffffu)) {
      return fail(record_line_, fmt::format("bad TTL '{}'", printable(args[0].raw, 20)));
    }
    return {};
  }
  std::string why;
  auto value = check_name(args[0], origin_, why);
  if (!value) return fail(record_line_, why);
  origin_ = std::move(*value);
  return {};
}

std::expected<void, std::string> Reader::finish_record() {
  std::size_t i = 0;
  std::string owner;
  if (indented_) {
    if (!last_owner_) {
      return fail(record_line_, "record starts with blank space and no earlier record gives "
                                "the owner name");
    }
    owner = *last_owner_;
  } else {
    const Token& first = tokens_[0];
    if (!first.quoted && !first.raw.empty() && first.raw[0] == '$') {
      return directive(first.raw, std::span<const Token>(tokens_).subspan(1));
    }
    std::string why;
    auto name = check_name(first, origin_, why);
    if (!name) return fail(record_line_, why);
    owner = std::move(*name);
    i = 1;
  }
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
  last_owner_ = owner;
  return add_record(owner, type.text, rdata);
}

std::expected<void, std::string> Reader::add_record(const std::string& owner,
                                                    std::string_view type_text,
                                                    std::span<const Token> rdata) {
  if (owner.empty()) return fail(record_line_, "records at the root are not supported");
  if (++records_ > kMaxZoneRecords) {
    return fail(record_line_, fmt::format("more than {} records", kMaxZoneRecords));
  }
  if (iequals(type_text, "TIMEOUT")) {
    if (!rdata.empty()) return fail(record_line_, "TIMEOUT takes no data");
    zone_.add_timeout(owner);
    return {};
  }
  auto type = parse_type(type_text);
  if (!type) {
    return fail(record_line_, fmt::format("unsupported type '{}' (A AAAA MX TXT SPF PTR CNAME NS "
                                          "TIMEOUT)", printable(type_text, 20)));
  }
  auto rec = decode_rdata(*type, rdata, origin_);
  if (!rec) return fail(record_line_, rec.error());
  zone_.add(owner, std::move(*rec));
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
