// record.cpp - the stored form of a rotation record (see record.hpp).
#include "keys/rotation/record.hpp"

#include "core/dkim/key_names.hpp"
#include "core/dkim/key_record.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>

namespace postseal::rotation {
namespace {

constexpr std::array kStateNames{"pending", "published", "active", "retiring", "revoked"};
// kFieldNames - every line of a stored record, each exactly once.
constexpr std::array<std::string_view, 8> kFieldNames{"d", "s", "a", "state", "created", "since", "file", "txt"};

// parse_time - a canonical non-negative decimal (no sign, no leading zero) that fits int64.
std::optional<std::int64_t> parse_time(std::string_view text) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

// set_field - one "name=value" line into `r`; an error names the field.
std::optional<std::string> set_field(Record& r, std::string_view name, std::string_view value) {
  if (name == "d") {
    if (auto e = dkim::check_domain(value)) return "d: " + *e;
    r.d = to_lower(value);
  } else if (name == "s") {
    if (auto e = dkim::check_selector(value)) return "s: " + *e;
    r.s = std::string(value);
  } else if (name == "a") {
    auto a = parse_algorithm(value);
    if (!a) return "a: not rsa or ed25519";
    r.a = *a;
  } else if (name == "state") {
    auto s = parse_state(value);
    if (!s) return "state: unknown";
    r.state = *s;
  } else if (name == "created" || name == "since") {
    auto t = parse_time(value);
    if (!t) return std::string(name) + ": not a time";
    (name == "created" ? r.created : r.since) = *t;
  } else if (name == "file") {
    if (!value.starts_with('/')) return "file: not an absolute path";
    r.file = std::string(value);
  } else {
    r.txt = std::string(value);
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(State s) { return kStateNames[static_cast<std::size_t>(s)]; }

std::optional<State> parse_state(std::string_view text) {
  for (std::size_t i = 0; i < kStateNames.size(); ++i)
    if (text == kStateNames[i]) return static_cast<State>(i);
  return std::nullopt;
}

std::optional<crypto::KeyType> parse_algorithm(std::string_view text) {
  for (auto type : {crypto::KeyType::rsa, crypto::KeyType::ed25519})
    if (text == crypto::to_string(type)) return type;
  return std::nullopt;
}

std::string store_key(const Record& r) { return domain_prefix(r.d) + r.s; }

std::string domain_prefix(std::string_view domain) { return fmt::format("{}{}:", kRecordPrefix, domain); }

std::string record_name(const Record& r) { return dkim::key_name(r.s, r.d); }

std::string format_record(const Record& r) {
  return fmt::format("d={}\ns={}\na={}\nstate={}\ncreated={}\nsince={}\nfile={}\ntxt={}\n", r.d, r.s,
                     crypto::to_string(r.a), to_string(r.state), r.created, r.since, r.file, r.txt);
}

std::expected<Record, std::string> parse_record(std::string_view text) {
  if (text.size() > kMaxRecordOctets) return std::unexpected("record too long");
  if (!text.ends_with('\n'))
    return std::unexpected("record does not end with a newline");
  Record r;
  std::array<bool, kFieldNames.size()> seen{};
  while (!text.empty()) {
    const auto eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol + 1);
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) return std::unexpected("line without '='");
    const std::string_view name = line.substr(0, eq), value = line.substr(eq + 1);
    if (has_control(value)) return std::unexpected(fmt::format("{}: control character", printable(name, 20)));
    std::size_t i = 0;
    while (i < kFieldNames.size() && kFieldNames[i] != name) ++i;
    if (i == kFieldNames.size()) return std::unexpected(fmt::format("unknown field '{}'", printable(name, 20)));
    if (seen[i]) return std::unexpected(fmt::format("field '{}' twice", name));
    seen[i] = true;
    if (auto e = set_field(r, name, value)) return std::unexpected(*e);
  }
  for (std::size_t i = 0; i < seen.size(); ++i)
    if (!seen[i]) return std::unexpected(fmt::format("field '{}' missing", kFieldNames[i]));
  return r;
}

}  // namespace postseal::rotation
