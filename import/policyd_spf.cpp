// policyd_spf.cpp - `postseal import policyd-spf FILE`: postfix-policyd-spf-python's
// policyd-spf.conf (policyd-spf.conf(5), 3.0) -> [verifier] (and [spf], [milter]).
//
// Read as policyd-spf reads it: "Name = value", names and values case-sensitive (its
// comparisons are exact: "HELO_reject = fail" rejects nothing), unknown names ignored. Where
// policyd-spf's default differs from postseal's (TempError_Defer False, postseal true), the
// policyd-spf value is written even when the file does not set it, so the verdicts stay the
// same. Untrusted input: the file (config_lines.hpp rules and limits).
#include "import/config_lines.hpp"
#include "import/importers.hpp"
#include "import/values.hpp"
#include "verifier/decision/options.hpp"

#include <fmt/format.h>

#include <charconv>
#include <optional>

namespace postseal::migrate {
namespace {

// reject_policy - policyd-spf's HELO_reject / Mail_From_reject word -> verifier value.
std::optional<std::string> reject_policy(std::string_view v, bool helo) {
  if (v == "SPF_Not_Pass") return "not_pass";
  if (v == "Softfail") return "softfail";
  if (v == "Fail") return "fail";
  if (v == "Null" && helo) return "null";
  if (v == "False") return "none";
  if (v == "No_Check") return "no_check";
  return std::nullopt;
}

std::optional<long> integer(std::string_view v) {
  long n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return n;
}

// kNoEquivalent - settings postseal has no key for, and what to do instead.
struct Unsupported {
  std::string_view name;
  std::string_view reason;
};
constexpr Unsupported kNoEquivalent[] = {
    {"debugLevel", "logging is chosen on the command line (--log, -v/--verbose)"},
    {"HELO_pass_restriction",
     "no pass restrictions: use a Postfix restriction class after the policy check"},
    {"Mail_From_pass_restriction",
     "no pass restrictions: use a Postfix restriction class after the policy check"},
    {"Prospective", "no prospective (outbound) checking"},
    {"No_Mail", "no 'reject only v=spf1 -all' mode: choose helo_reject / mail_from_reject"},
    {"Reject_Not_Pass_Domains",
     "no per-domain reject lists: mail_from_reject applies to every domain"},
    {"Per_User", "no per-recipient settings"},
    {"Whitelist_Lookup_Time", "whitelist lookups share spf.time_cap_seconds"},
    {"Mock", "no mock header: postseal's policy answer is visible to milters as it is"},
    {"QueueID", "postseal always logs the queue id"},
    {"PidFile", "no pid file: systemd tracks the daemon"},
    {"UMask", "unix sockets get verifier.policy_socket_mode / milter.socket_mode"},
    {"InternalHosts",
     "no internal-hosts list for the milter: put such networks in verifier.skip_addresses"},
    {"IntHosts",
     "no internal-hosts list for the milter: put such networks in verifier.skip_addresses"},
    {"MacroList",
     "no milter macro list: SASL-authenticated clients are skipped (verifier.skip_authenticated)"},
};

class PolicydSpf {
 public:
  PolicydSpf(Result& r) : r_(r), v_(r.section("verifier")) {}

  void apply(const Setting& s) {
    const std::string at = where(r_.source, s.line);
    const std::string shown = fmt::format("{} = {}", s.name, s.value);
    const std::string origin = fmt::format("{}: {}", at, shown);
    seen_.push_back(s.name);
    if (s.name == "HELO_reject" || s.name == "Mail_From_reject")
      return reject(s, at, shown, origin);
    if (s.name == "PermError_reject")
      return add(v_, "permerror_reject", toml_bool(s.value == "True"), origin);
    if (s.name == "TempError_Defer")
      return add(v_, "temperror_defer", toml_bool(s.value == "True"), origin);
    if (s.name == "TestOnly" || s.name == "defaultSeedOnly") return test_only(s, at, shown, origin);
    if (s.name == "Hide_Receiver")
      return add(v_, "hide_receiver", toml_bool(s.value != "No"), origin);
    if (s.name == "Reason_Message") {
      if (auto ok = decision::check_reason_message(s.value); !ok)
        return r_.note(at, shown, "verifier.reason_message: " + ok.error());
      return add(v_, "reason_message", toml_string(s.value), origin);
    }
    if (s.name == "Header_Type") return header_type(s, at, shown, origin);
    if (s.name == "Authserv_Id")
      return add(v_, "authserv_id", toml_string(s.value == "HOSTNAME" ? "" : s.value), origin);
    if (s.name == "Lookup_Time") return lookup_time(s, at, shown, origin);
    if (s.name == "Void_Limit") {
      if (s.value != "2")
        r_.note(at, shown, "the void lookup limit is fixed at 2 (RFC 7208 4.6.4)");
      return;
    }
    if (s.name == "SPF_Enhanced_Status_Codes") {
      if (s.value == "No")
        r_.note(at, shown, "postseal always answers with RFC 7372 codes (5.7.23, 5.7.24)");
      return;
    }
    for (auto [name, key] : {std::pair{"skip_addresses", "skip_addresses"},
                             {"Whitelist", "whitelist"},
                             {"HELO_Whitelist", "helo_whitelist"},
                             {"Domain_Whitelist", "domain_whitelist"},
                             {"Domain_Whitelist_PTR", "domain_whitelist_ptr"}})
      if (s.name == name) {
        const auto items = split_items(s.value, ",");
        const bool cidr =
            std::string_view(key) == "skip_addresses" || std::string_view(key) == "whitelist";
        return add(v_, key, toml_strings(cidr ? networks(r_, at, items) : domains(r_, at, items)),
                   origin);
      }
    if (s.name == "Socket") return socket(s, origin);
    if (s.name == "UserID") return user(s, at, shown, origin);
    for (const auto& u : kNoEquivalent)
      if (s.name == u.name) return r_.note(at, shown, std::string(u.reason));
    r_.note(at, shown, "not a policyd-spf setting (policyd-spf ignores it too)");
  }

  // finish - policyd-spf defaults that postseal's defaults would change.
  void finish() {
    if (!seen("TempError_Defer"))
      add(v_, "temperror_defer", "false",
          "policyd-spf's default TempError_Defer = False (postseal's default is true)");
  }

 private:
  bool seen(std::string_view name) const {
    for (const auto& n : seen_)
      if (n == name) return true;
    return false;
  }

  void reject(const Setting& s, const std::string& at, const std::string& shown,
              const std::string& origin) {
    const bool helo = s.name == "HELO_reject";
    const char* key = helo ? "helo_reject" : "mail_from_reject";
    if (auto p = reject_policy(s.value, helo)) return add(v_, key, toml_string(*p), origin);
    add(v_, key, toml_string("none"),
        origin + " (not a value policyd-spf knows: it rejected nothing)");
    r_.note(
        at, shown,
        "not one of SPF_Not_Pass, Softfail, Fail, Null (HELO only), False, No_Check (policyd-spf "
        "compares exactly, so it rejected nothing on this identity): written as \"none\"");
  }

  void test_only(const Setting& s, const std::string& at, const std::string& shown,
                 const std::string& origin) {
    auto n = integer(s.value);
    if (!n) return r_.note(at, shown, "not an integer (policyd-spf refuses the file)");
    add(v_, "test_only", toml_bool(*n == 0),
        origin + (*n == 0 ? " (0: test mode)" : " (1: normal operation)"));
  }

  void header_type(const Setting& s, const std::string& at, const std::string& shown,
                   const std::string& origin) {
    const bool ar = s.value.find("AR") != std::string::npos;
    const bool spf = s.value.find("SPF") != std::string::npos;
    if (ar && spf) r_.note(at, shown, "one header type only: written as authentication-results");
    if (ar) return add(v_, "header_type", toml_string("authentication-results"), origin);
    if (spf) return add(v_, "header_type", toml_string("received-spf"), origin);
    r_.note(at, shown,
            s.value == "None"
                ? "postseal always documents the result in a header"
                : "not SPF or AR: policyd-spf adds no header (postseal always adds one)");
  }

  void lookup_time(const Setting& s, const std::string& at, const std::string& shown,
                   const std::string& origin) {
    auto n = integer(s.value);
    if (!n || *n < 1 || *n > 300)
      return r_.note(at, shown, "spf.time_cap_seconds takes 1-300 seconds");
    add(r_.section("spf"), "time_cap_seconds", std::to_string(*n), origin);
  }

  void socket(const Setting& s, const std::string& origin) {
    std::string listen = s.value;
    if (listen.starts_with("local:")) listen = "unix:" + listen.substr(6);
    add(r_.section("milter"), "listen", toml_string(listen), origin + " (pyspf-milter's socket)");
  }

  void user(const Setting& s, const std::string& at, const std::string& shown,
            const std::string& origin) {
    auto colon = s.value.find(':');
    add(v_, "user", toml_string(s.value.substr(0, colon)), origin);
    if (colon != std::string::npos)
      r_.note(at, shown, "the group: postseal runs with the user's own groups");
  }

  Result& r_;
  Section& v_;
  std::vector<std::string> seen_;
};

}  // namespace

Result import_policyd_spf(const std::string& path, const ReadFile& read) {
  Result r{"policyd-spf", path, {}, {}};
  const std::string text = read_source(read, path);
  const ReadSettings rs = read_settings(text, Syntax::name_equals);
  PolicydSpf importer(r);
  run_importer(r, importer, rs, path);
  return r;
}

}  // namespace postseal::migrate
