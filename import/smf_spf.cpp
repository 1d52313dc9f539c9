// smf_spf.cpp - `postseal import smf-spf FILE`: smf-spf 2.0's smf-spf.conf (docs/compat.md,
// seed 003) -> [milter] and [verifier].
//
// Read as smf-spf reads it: a '#' ends the line, the name is matched without regard to case
// and the value is the first word after it (smf-spf scans "%s %s", so "RefuseFail off # x"
// is "off"). Whitelist lines accumulate. smf-spf's defaults that postseal's would change are
// written out: the socket (unix:/var/run/smfs/smf-spf.sock) and the HELO policy (smf-spf
// checks HELO only for the null sender). Untrusted input: the file (config_lines.hpp).
#include "import/config_lines.hpp"
#include "import/importers.hpp"
#include "import/values.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace postseal::migrate {
namespace {

// kDefaultSocket - smf-spf's socket when the file names none.
constexpr std::string_view kDefaultSocket = "unix:/var/run/smfs/smf-spf.sock";
// kMaxTagOctets - milter.tag's longest value (verifier/milter/session.hpp).
constexpr std::size_t kMaxTagOctets = 64;
// kMaxCacheTtl - verifier.cache_ttl's upper bound (seconds).
constexpr long kMaxCacheTtl = 86400;

std::optional<bool> on_off(std::string_view v) {
  if (iequals(v, "on")) return true;
  if (iequals(v, "off")) return false;
  return std::nullopt;
}

// ttl_seconds - "30", "10m", "1h", "2d" (smf-spf's TTL units).
std::optional<long> ttl_seconds(std::string_view v) {
  long n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || n < 0) return std::nullopt;
  std::string_view unit(end, v.data() + v.size() - end);
  long scale = unit.empty() ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 0;
  if (scale == 0 || n > kMaxCacheTtl) return std::nullopt;
  return n * scale;
}

class SmfSpf {
 public:
  explicit SmfSpf(Result& r) : r_(r), m_(r.section("milter")), v_(r.section("verifier")) {
    m_.comments.push_back(
        "smf-spf matched Whitelist* entries as case-insensitive substrings; postseal matches "
        "the forms documented in conf/postseal.toml ([milter])");
  }

  void apply(const Setting& s) {
    const std::string at = where(r_.source, s.line);
    const std::string shown = s.name + " " + s.value;
    const auto words = split_items(s.value, " \t");
    if (words.empty()) {  // smf-spf reads "%s %s": a lone word is skipped (noted unless it is no
                          // word at all)
      if (std::any_of(s.name.begin(), s.name.end(),
                      [](unsigned char c) { return std::isalnum(c); }))
        r_.note(at, shown, "no value (smf-spf skips the line)");
      return;
    }
    const std::string& value = words.front();
    const std::string origin = fmt::format("{}: {} {}", at, s.name, value);
    const std::string name = to_lower(s.name);
    if (name == "whitelistip") {
      for (const auto& ok : networks(r_, at, {value})) list("whitelist_ip", ok, at);
      return;
    }
    if (name == "whitelistptr") {
      for (const auto& ok : domains(r_, at, {value})) list("whitelist_ptr", ok, at);
      return;
    }
    if (name == "whitelistfrom" || name == "whitelistto")
      return list(name == "whitelistfrom" ? "whitelist_from" : "whitelist_to", value, at);
    for (auto [source, key] : {std::pair{"refusefail", "refuse_fail"},
                               {"tagsubject", "tag_subject"},
                               {"addheader", "add_header"}})
      if (name == source) {
        auto b = on_off(value);
        if (!b) return r_.note(at, shown, "not on or off");
        return add(m_, key, toml_bool(*b), origin);
      }
    if (name == "tag") {
      if (value.size() > kMaxTagOctets || value != printable(value))
        return r_.note(at, shown,
                       fmt::format("milter.tag takes 1-{} printable octets", kMaxTagOctets));
      return add(m_, "tag", toml_string(value), origin);
    }
    if (name == "quarantine") {
      quarantine_on_ = on_off(value).value_or(false);
      quarantine_at_ = at;
      return;
    }
    if (name == "quarantinebox") {
      box_ = value;
      box_at_ = at;
      return;
    }
    if (name == "ttl") {
      auto ttl = ttl_seconds(value);
      if (!ttl) return r_.note(at, shown, "verifier.cache_ttl takes 0-86400 seconds");
      return add(v_, "cache_ttl", std::to_string(*ttl), origin);
    }
    if (name == "user") {
      user_seen_ = true;
      return add(v_, "user", toml_string(value), origin);
    }
    if (name == "socket") {
      std::string listen = value.starts_with("local:") ? "unix:" + value.substr(6) : value;
      socket_seen_ = true;
      return add(m_, "listen", toml_string(listen), origin);
    }
    if (name == "syslog")
      return r_.note(at, shown, "postseal logs to syslog's mail facility (or --log stderr)");
    r_.note(at, shown, "not an smf-spf setting");
  }

  void finish() {
    for (auto& [key, items] : list_) add(m_, key, toml_strings(items.values), items.origin);
    if (!socket_seen_)
      add(m_, "listen", toml_string(kDefaultSocket),
          "smf-spf's default Socket (the file sets none)");
    add(v_, "helo_reject", toml_string("null"),
        "smf-spf checks the HELO identity only for the null sender (mail_from_reject stays "
        "\"fail\")");
    if (quarantine_on_ && box_.find('@') != std::string::npos)
      add(m_, "quarantine_mailbox", toml_string(box_), box_at_ + ": QuarantineBox " + box_);
    else if (quarantine_on_)
      r_.note(box_at_.empty() ? quarantine_at_ : box_at_,
              "QuarantineBox " + (box_.empty() ? "postmaster" : box_),
              "milter.quarantine_mailbox needs a full address (user@domain)");
    if (!user_seen_)
      r_.note(r_.source, "User (default smfs)",
              "not carried over: verifier.user names the user postseal runs as");
  }

 private:
  struct Items {
    std::vector<std::string> values;
    std::string origin;
  };

  void list(const std::string& key, const std::string& value, const std::string& at) {
    for (auto& [k, items] : list_)
      if (k == key) {
        items.values.push_back(value);
        items.origin += ", " + at.substr(at.rfind(':') + 1);
        return;
      }
    list_.push_back({key, Items{{value}, at}});
  }

  Result& r_;
  Section& m_;
  Section& v_;
  std::vector<std::pair<std::string, Items>> list_;
  bool socket_seen_ = false, user_seen_ = false, quarantine_on_ = false;
  std::string box_, box_at_, quarantine_at_;
};

}  // namespace

Result import_smf_spf(const std::string& path, const ReadFile& read) {
  Result r{"smf-spf", path, {}, {}};
  const ReadSettings rs = read_settings(read_source(read, path), Syntax::name_value);
  SmfSpf importer(r);
  run_importer(r, importer, rs, path);
  return r;
}

}  // namespace postseal::migrate
