// opendkim.cpp - `postseal import opendkim FILE`: opendkim.conf(5) with its KeyTable and
// SigningTable -> [signer] user and one [[signer.domain]] per From domain.
//
// Signing setups read: Domain + Selector + KeyFile (SubDomains applies), or KeyTable +
// SigningTable ("refile:" patterns *@example.com and *@*.example.com, plain files with
// example.com and .example.com keys, "%" in the KeyTable's domain and key path). First match
// wins unless MultipleSignatures, as in OpenDKIM; then every key of the domain's rows signs
// (dual RSA + Ed25519) and MultipleSignatures yes becomes signer.multiple_signatures = true
// (every matching row signs: signer/filter/signature_plan.hpp). Per-address rows
// (alice@example.com, refile *@*.example.com patterns with a KeyTable d= other than the From
// domain, alice@.example.com in a plain file) and rows with i= become [[signer.sender]] rows
// (signer/filter/sender_rows.hpp); a refile row that an earlier row hides (first match,
// MultipleSignatures off) is reported, not carried, as are "*", user@* and patterns postseal
// cannot express. Canonicalization (OpenDKIM's default
// simple/simple is written out), SignatureTTL, OversignHeaders/SignHeaders/OmitHeaders and
// UserID carry over; Include files are read in place (at most 5 deep, as OpenDKIM); milter
// plumbing (Socket, InternalHosts...) is reported with what replaces it. Untrusted input: the
// files (config_lines.hpp, opendkim_tables.hpp), at most kMaxSourceOctets each.
#include "import/config_lines.hpp"
#include "import/importers.hpp"
#include "import/opendkim_tables.hpp"
#include "signer/filter/sender_pattern.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>

namespace postseal::migrate {
namespace {

// kShouldSign - RFC 6376 5.4.1's list: OpenDKIM's SignHeaders default.
constexpr std::string_view kShouldSign[] = {"From",
                                            "Reply-To",
                                            "Subject",
                                            "Date",
                                            "To",
                                            "Cc",
                                            "Resent-Date",
                                            "Resent-From",
                                            "Resent-Sender",
                                            "Resent-To",
                                            "Resent-Cc",
                                            "In-Reply-To",
                                            "References",
                                            "List-Id",
                                            "List-Help",
                                            "List-Unsubscribe",
                                            "List-Subscribe",
                                            "List-Post",
                                            "List-Owner",
                                            "List-Archive"};
// kPostsealOversigned - what postseal's default header list oversigns
// (core/dkim/message_signer.cpp).
constexpr std::string_view kPostsealOversigned[] = {"From",     "To",           "Cc",
                                                    "Subject",  "Date",         "Message-ID",
                                                    "Reply-To", "Content-Type", "MIME-Version"};

// kMaxExpire - signer.domain[].expire's upper bound (one year).
constexpr long kMaxExpire = 31536000;

// kReasons - settings with no postseal key, grouped by why (names lower-case).
struct Reason {
  std::initializer_list<std::string_view> names;
  std::string_view why;
};
const Reason kReasons[] = {
    {{"socket"},
     "postseal signs in an after-queue content filter, not a milter: "
     "content_filter=dksign:[127.0.0.1]:10027 "
     "on submission and pickup ([signer] listen, conf/postfix/signer-main.cf, signer-master.cf)"},
    {{"internalhosts", "externalignorelist", "peerlist", "macrolist", "mta"},
     "postseal signs all mail Postfix routes through the content filter: choose it in master.cf, "
     "not by host"},
    {{"syslog", "syslogsuccess", "logwhy", "syslogfacility", "syslogname", "logresults"},
     "postseal logs each signature to syslog (mail facility) by default; --log, -v on the command "
     "line"},
    {{"umask", "pidfile", "background", "autorestart", "autorestartcount", "autorestartrate",
      "changerootdirectory", "enablecoredumps", "milterdebug", "softstart"},
     "process management is systemd's (the postseal units) in postseal"},
    {{"trustanchorfile", "nameservers", "resolverconfiguration", "dnstimeout", "dnsconnect"},
     "DNS is only used for verification: [dns] serves `postseal verifier`"},
    {{"minimumkeybits",
      "allowsha1only",
      "alwaysaddarheader",
      "authservid",
      "authservidwithjobid",
      "boguskey",
      "maximumsignaturestoverify",
      "removeoldsignatures",
      "removearall",
      "removearfrom",
      "keepauthresults",
      "unprotectedkey",
      "mustbesigned",
      "ondefault",
      "onbadsignature",
      "ondnserror",
      "oninternalerror",
      "onnosignature",
      "onsecurity",
      "onsignatureerror",
      "trustsignaturesfrom",
      "strictheaders",
      "weaksyntaxchecks"},
     "a verification setting: DKIM verification is `postseal verifier` ([verifier], [dkim])"},
    {{"reportaddress", "sendreports", "requestreports", "reportbccaddress"},
     "no DKIM failure reports"},
};

// SenderPlan - one [[signer.sender]] row to write.
struct SenderPlan {
  signer::SenderPattern pattern;
  std::string d, identity;
  std::vector<std::string> keys;  // "SELECTOR:PATH"
  std::string at, origin;
};

// sender_pattern - a SigningTable key as a [[signer.sender]] address: refile "user@host",
// "*@host", "user@*.host", "*@*.host"; file "user@host", "user@.host" (OpenDKIM's file
// lookup of user@.parent); nothing for "*", "user@*" or other wildcards.
std::optional<signer::SenderPattern> sender_pattern(const std::string& key, DatasetKind kind) {
  const auto at = key.rfind('@');
  if (at == std::string::npos) return std::nullopt;
  std::string host = key.substr(at + 1);
  if (kind != DatasetKind::refile) {
    if (key.find('*') != std::string::npos) return std::nullopt;
    if (host.starts_with(".")) host = "*" + host;
  }
  auto p = signer::parse_sender_pattern(key.substr(0, at) + "@" + host);
  return p ? std::optional(*p) : std::nullopt;
}

struct DomainPlan {
  std::string name;
  std::vector<std::string> keys;  // "SELECTOR:PATH"
  bool subdomains = false;
  std::string origin;
};

class OpenDkim {
 public:
  OpenDkim(Result& r, const ReadFile& read) : r_(r), read_(read) {}

  void apply(const Setting& s) {
    const std::string name = to_lower(s.name);
    const std::string at = this->at(s);
    const std::string shown = s.name + " " + s.value;
    seen_[name] = s;
    for (auto used : {"domain", "selector", "keyfile", "keytable", "signingtable",
                      "multiplesignatures", "subdomains", "canonicalization", "mode",
                      "basedirectory", "signheaders", "oversignheaders", "omitheaders",
                      "signaturettl", "userid", "signaturealgorithm", "requiresafekeys"})
      if (name == used) return;
    for (const auto& reason : kReasons)
      for (auto n : reason.names)
        if (name == n) return r_.note(at, shown, std::string(reason.why));
    r_.note(at, shown, "no postseal equivalent");
  }

  void finish() {
    user();
    plan_domains();
    algorithm();
    if (auto s = get("requiresafekeys"); s && !boolean(s->value))
      note(*s,
           "postseal always refuses keys that group or others can read (chmod 600 the key files)");
    if (auto s = get("mode"); !s) {
      r_.note(r_.source, "Mode (default sv)",
              "verification (v) is `postseal verifier` (milter or proxy)");
    } else if (s->value.find('v') != std::string::npos) {
      note(*s, "verification (v) is `postseal verifier` (milter or proxy)");
    }
    bool signs = !senders_.empty();
    for (auto& d : domains_) signs = signs || !d.keys.empty();
    if (!signs)
      for (auto n : {"canonicalization", "oversignheaders", "signheaders", "omitheaders",
                     "signaturettl", "multiplesignatures", "subdomains", "signaturealgorithm"})
        if (auto s = get(n))
          note(*s, "no signing domain is carried over, so there is nothing to apply it to");
    if (signs) multiple_signatures();
    for (auto& d : domains_) write_domain(d);
    for (const auto& p : senders_) write_sender(p);
  }

 private:
  std::optional<Setting> get(std::string_view name) const {
    auto it = seen_.find(std::string(name));
    return it == seen_.end() ? std::nullopt : std::optional<Setting>(it->second);
  }
  std::string at(const Setting& s) const {
    return where(s.file.empty() ? r_.source : s.file, s.line);
  }
  std::string origin(const Setting& s) const {
    return fmt::format("{}: {} {}", at(s), s.name, s.value);
  }
  void note(const Setting& s, std::string why) {
    r_.note(at(s), s.name + " " + s.value, std::move(why));
  }
  static bool boolean(std::string_view v) {
    return !v.empty() && std::string_view("TtYy1").find(v[0]) != std::string_view::npos;
  }

  void user() {
    auto s = get("userid");
    if (!s) return;
    auto colon = s->value.find(':');
    add(r_.section("signer"), "user", toml_string(s->value.substr(0, colon)),
        origin(*s) + " (the key files must stay readable by this user)");
    if (colon != std::string::npos) note(*s, "the group: postseal runs with the user's own groups");
  }

  void algorithm() {
    auto s = get("signaturealgorithm");
    if (s && s->value == "rsa-sha1")
      note(*s, "postseal never signs with rsa-sha1 (RFC 8301): rsa-sha256");
  }

  // path - a key path with '%' replaced and BaseDirectory applied; nullopt for key material.
  std::optional<std::string> path(std::string key, const std::string& domain) const {
    for (auto p = key.find('%'); p != std::string::npos; p = key.find('%', p + domain.size()))
      key.replace(p, 1, domain);
    if (key.starts_with("/")) return key;
    if (!key.starts_with("./") && !key.starts_with("../")) return std::nullopt;
    auto base = get("basedirectory");
    return base ? base->value + "/" + key : key;
  }

  DomainPlan& plan(const std::string& domain) {
    for (auto& d : domains_)
      if (d.name == domain) return d;
    domains_.push_back({domain, {}, false, ""});
    return domains_.back();
  }

  void plan_domains() {
    auto mode = get("mode");
    if (mode && mode->value.find('s') == std::string::npos) {
      for (auto n : {"domain", "keytable", "signingtable", "keyfile", "selector"})
        if (auto s = get(n))
          note(*s, "Mode has no s: OpenDKIM does not sign, so neither is this carried over");
      return;
    }
    if (get("keytable") || get("signingtable")) return plan_tables();
    plan_single();
  }

  void plan_single() {
    auto domain = get("domain"), selector = get("selector"), keyfile = get("keyfile");
    if (!domain && !selector && !keyfile) return;
    if (!domain || !selector || !keyfile) {
      for (const auto& s : {domain, selector, keyfile})
        if (s)
          note(
              *s,
              "Domain, Selector and KeyFile go together (OpenDKIM refuses one without the others)");
      return;
    }
    auto sub = get("subdomains");
    Dataset set = read_dataset(domain->value, at(*domain), read_, r_);
    auto key = path(keyfile->value, "");
    if (!key) return note(*keyfile, "not a file path");
    for (const auto& row : set.rows) {
      DomainPlan& d = plan(to_lower(row.key));
      d.keys.push_back(selector->value + ":" + *key);
      d.subdomains = sub && boolean(sub->value);
      d.origin = fmt::format("{}; {}: Selector {}; {}: KeyFile {}", origin(*domain), at(*selector),
                             selector->value, at(*keyfile), keyfile->value);
      if (sub) d.origin += fmt::format("; {}", origin(*sub));
    }
  }

  void plan_tables() {
    auto kt = get("keytable"), st = get("signingtable");
    if (!kt || !st) {
      for (const auto& s : {kt, st})
        if (s) note(*s, "KeyTable and SigningTable go together: nothing is signed with one alone");
      return;
    }
    for (auto n : {"domain", "selector", "keyfile"})
      if (auto s = get(n)) note(*s, "ignored by OpenDKIM when a KeyTable is used");
    if (auto s = get("subdomains"); s && boolean(s->value))
      note(*s,
           "applies to Domain only: with a SigningTable, its rows (*@*.example.com, .example.com) "
           "decide");
    const auto keys = key_rows(read_dataset(kt->value, at(*kt), read_, r_), r_);
    const Dataset signing = read_dataset(st->value, at(*st), read_, r_);
    auto multiple = get("multiplesignatures");
    const bool all_matches = multiple && boolean(multiple->value);
    std::vector<std::string>
        decided;  // domains whose first match is taken (MultipleSignatures off)
    for (const auto& row : signing.rows) apply_row(row, signing.kind, keys, all_matches, decided);
  }

  const KeyRow* find_key(const std::vector<KeyRow>& keys, std::string_view name) const {
    for (const auto& k : keys)
      if (k.name == name) return &k;
    return nullptr;
  }

  void apply_row(const TableRow& row, DatasetKind kind, const std::vector<KeyRow>& keys,
                 bool all_matches, std::vector<std::string>& decided) {
    const std::string shown = row.key + " " + row.value;
    const auto fields = split_items(row.value, ":");
    const SenderMatch m = classify(row.key, kind);
    switch (m.match) {
      case Match::everything:
        return r_.note(row.at, shown,
                       "signs every sender domain: postseal signs listed From domains only "
                       "(one [[signer.domain]] each)");
      case Match::never:
        return r_.note(
            row.at, shown,
            kind == DatasetKind::refile
                ? "a refile pattern is matched against the whole address: this one never matches"
                : "a wildcard in a file: table is taken literally and never matches (use refile:)");
      case Match::other:
      case Match::address:
      case Match::domain:
      case Match::subdomains: break;
    }
    const auto pattern = m.match == Match::domain       ? signer::parse_sender_pattern("*@" + m.domain)
                         : m.match == Match::subdomains ? signer::parse_sender_pattern("*@*." + m.domain)
                                                        : std::expected<signer::SenderPattern, std::string>(
                                                              std::unexpected(""));
    auto sender = pattern ? std::optional(*pattern) : sender_pattern(row.key, kind);
    if (!sender)
      return r_.note(row.at, shown,
                     "a pattern postseal cannot express (it signs by address: user@domain, "
                     "*@domain, user@*.domain, *@*.domain)");
    const bool hidden = kind == DatasetKind::refile && !all_matches && hidden_by_earlier(*sender);
    earlier_.push_back(*sender);
    if (fields.empty()) return r_.note(row.at, shown, "no key name");
    const KeyRow* key = find_key(keys, fields[0]);
    if (key == nullptr) return r_.note(row.at, shown, "the KeyTable has no key of this name");
    if (m.match == Match::address || m.match == Match::other || fields.size() > 1 ||
        (key->domain != "%" && to_lower(key->domain) != m.domain)) {
      if (hidden)
        return r_.note(row.at, shown,
                       "never used: an earlier row matches first (MultipleSignatures is off)");
      return add_sender(row, shown, *sender, *key, fields.size() > 1 ? fields[1] : "", all_matches);
    }
    if (key->domain == "%" && m.match == Match::subdomains)
      return r_.note(row.at, shown,
                     fmt::format("d= is each subdomain itself (% in the KeyTable): postseal signs "
                                 "subdomains of {} with d={} and {}'s keys",
                                 m.domain, m.domain, m.domain));
    auto file = path(key->key, m.domain);
    if (!file)
      return r_.note(
          key->at, key->name + " " + key->domain + ":" + key->selector + ":...",
          "key material inside the KeyTable: write it to a file (mode 0600) and name the file");
    const std::string tag = m.domain + (m.match == Match::subdomains ? "/sub" : "");
    if (!all_matches && std::find(decided.begin(), decided.end(), tag) != decided.end())
      return r_.note(row.at, shown,
                     "never used: an earlier row matches first (MultipleSignatures is off)");
    decided.push_back(tag);
    add_key(m, key->selector + ":" + *file,
            row.at + ": " + shown + "; " + key->at + ": " + key->name);
  }

  // hidden_by_earlier - an earlier refile row matches every address `p` does.
  bool hidden_by_earlier(const signer::SenderPattern& p) const {
    return std::any_of(earlier_.begin(), earlier_.end(),
                       [&](const signer::SenderPattern& e) { return signer::covers(e, p); });
  }

  // add_sender - a [[signer.sender]] row for `p` signed with `key` (d= its KeyTable domain, "%"
  // being the From domain) and i= `identity` ("%" likewise).
  void add_sender(const TableRow& row, const std::string& shown, const signer::SenderPattern& p,
                  const KeyRow& key, std::string identity, bool all_matches) {
    const bool has_percent = key.domain == "%" || key.key.find('%') != std::string::npos;
    if (p.below && has_percent)
      return r_.note(row.at, shown,
                     fmt::format("\"%\" stands for each subdomain of {} here: postseal signs one "
                                 "d= and key per row",
                                 p.domain));
    if (p.below && identity.find('%') != std::string::npos) {
      r_.note(row.at, shown,
              fmt::format("i= with \"%\" differs for each subdomain of {}: i= left out", p.domain));
      identity.clear();
    }
    const std::string d = key.domain == "%" ? p.domain : to_lower(key.domain);
    auto file = path(key.key, p.domain);
    if (!file)
      return r_.note(
          key.at, key.name + " " + key.domain + ":" + key.selector + ":...",
          "key material inside the KeyTable: write it to a file (mode 0600) and name the file");
    for (auto pos = identity.find('%'); pos != std::string::npos; pos = identity.find('%', pos + p.domain.size()))
      identity.replace(pos, 1, p.domain);
    auto i_domain = signer::parse_sender_pattern("x@" + identity.substr(identity.rfind('@') + 1));
    if (!identity.empty() && (identity.find('@') == std::string::npos || !i_domain || i_domain->below ||
                              (i_domain->domain != d && !i_domain->domain.ends_with("." + d)))) {
      r_.note(row.at, shown, fmt::format("i={} is not within d={} (RFC 6376 3.5): i= left out", identity, d));
      identity.clear();
    }
    const std::string entry = key.selector + ":" + *file;
    const std::string origin = row.at + ": " + shown + "; " + key.at + ": " + key.name;
    for (auto& plan : senders_) {
      if (plan.pattern.text() != p.text()) continue;
      if (!all_matches || plan.d != d || plan.identity != identity)
        return r_.note(row.at, shown,
                       all_matches ? "another d= or i= for the same sender: postseal signs one d= and "
                                     "i= per [[signer.sender]] row, this one is not carried"
                                   : "never used: an earlier row matches first (MultipleSignatures is off)");
      if (std::find(plan.keys.begin(), plan.keys.end(), entry) == plan.keys.end()) plan.keys.push_back(entry);
      plan.origin += "; " + origin;
      return;
    }
    senders_.push_back({p, d, identity, {entry}, row.at, origin});
  }

  // multiple_signatures - MultipleSignatures yes: OpenDKIM signs with every row that matches,
  // and so does postseal with signer.multiple_signatures = true (each key once).
  void multiple_signatures() {
    auto multiple = get("multiplesignatures");
    if (!multiple || !boolean(multiple->value)) return;
    add(r_.section("signer"), "multiple_signatures", "true",
        origin(*multiple) + " (every matching row signs, most specific first; a key named by two rows signs once)");
  }

  void write_sender(const SenderPlan& p) {
    Section& s = r_.array_table("signer.sender");
    add(s, "address", toml_string(p.pattern.text()), p.origin);
    if (p.pattern.below || p.d != p.pattern.domain) add(s, "domain", toml_string(p.d), "");
    add(s, "keys", toml_strings(p.keys), "");
    if (!p.identity.empty()) add(s, "identity", toml_string(p.identity), "");
  }

  void add_key(const SenderMatch& m, const std::string& key, const std::string& origin) {
    DomainPlan& d = plan(m.domain);
    if (m.match == Match::subdomains) {
      if (d.keys.empty()) {
        r_.note(origin.substr(0, origin.find(": ")), "subdomains of " + m.domain,
                "postseal's subdomains = true also signs " + m.domain + " itself");
      } else if (std::find(d.keys.begin(), d.keys.end(), key) == d.keys.end()) {
        return r_.note(origin.substr(0, origin.find(": ")), "subdomains of " + m.domain,
                       "subdomains sign with " + m.domain +
                           "'s own keys in postseal: this key is not carried over");
      }
      d.subdomains = true;
    }
    if (std::find(d.keys.begin(), d.keys.end(), key) == d.keys.end()) d.keys.push_back(key);
    d.origin += (d.origin.empty() ? "" : "; ") + origin;
  }

  // headers - the h= setting every domain gets: [] (postseal's default) when it covers
  // OpenDKIM's, else an explicit list.
  void headers(Section& s) {
    auto sign = get("signheaders"), over = get("oversignheaders"), omit = get("omitheaders");
    std::vector<std::string> oversign =
        over ? split_items(over->value, ",") : std::vector<std::string>{};
    bool covered = !sign && !omit;
    for (const auto& h : oversign)
      covered =
          covered && std::any_of(std::begin(kPostsealOversigned), std::end(kPostsealOversigned),
                                 [&](std::string_view p) { return iequals(p, h); });
    if (covered) {
      if (over)
        s.comments.push_back(origin(*over) +
                             ": postseal's default h= list already oversigns From, To, Cc, "
                             "Subject, Date, Message-ID, Reply-To, Content-Type, MIME-Version");
      return;
    }
    std::vector<std::string> list =
        sign ? split_items(sign->value, ",")
             : std::vector<std::string>(std::begin(kShouldSign), std::end(kShouldSign));
    if (omit)
      for (const auto& o : split_items(omit->value, ","))
        std::erase_if(list, [&](const std::string& h) { return iequals(h, o); });
    list.insert(list.end(), oversign.begin(), oversign.end());
    std::string from;
    for (const auto& s2 : {sign, over, omit})
      if (s2) from += (from.empty() ? "" : "; ") + origin(*s2);
    add(s, "headers", toml_strings(list),
        from +
            " (each name once, and once more if oversigned; "
            "an absent field is signed as empty)");
  }

  void write_domain(const DomainPlan& d) {
    if (d.keys.empty()) return;
    Section& s = r_.array_table("signer.domain");
    add(s, "name", toml_string(d.name), d.origin);
    add(s, "keys", toml_strings(d.keys), "");
    if (d.subdomains) add(s, "subdomains", "true", "");
    auto canon = get("canonicalization");
    std::string c = canon ? to_lower(canon->value) : "simple/simple";
    if (c.find('/') == std::string::npos) c += "/simple";
    if (c != "simple/simple" && c != "simple/relaxed" && c != "relaxed/simple" &&
        c != "relaxed/relaxed") {
      note(*canon,
           "not simple or relaxed (OpenDKIM refuses it): postseal's default relaxed/relaxed "
           "applies");
      canon.reset();
      c.clear();
    }
    if (!c.empty())
      add(s, "canonicalization", toml_string(c),
          canon ? origin(*canon) : "OpenDKIM's default Canonicalization simple");
    headers(s);
    if (auto ttl = get("signaturettl")) {
      long n = -1;
      auto [end, ec] = std::from_chars(ttl->value.data(), ttl->value.data() + ttl->value.size(), n);
      if (ec == std::errc() && end == ttl->value.data() + ttl->value.size() && n >= 0 &&
          n <= kMaxExpire)
        add(s, "expire", std::to_string(n), origin(*ttl));
      else if (!ttl_noted_) {
        ttl_noted_ = true;
        note(*ttl, fmt::format("signer.domain expire takes 0-{} seconds", kMaxExpire));
      }
    }
  }

  Result& r_;
  const ReadFile& read_;
  std::map<std::string, Setting> seen_;  // lower-case name -> its last line (OpenDKIM: last wins)
  std::vector<DomainPlan> domains_;
  std::vector<SenderPlan> senders_;
  std::vector<signer::SenderPattern> earlier_;  // every SigningTable row so far, in order
  bool ttl_noted_ = false;
};

}  // namespace

// kMaxIncludeDepth - OpenDKIM's own limit on nested Include files.
constexpr int kMaxIncludeDepth = 5;

// settings - the file's settings with its Include files read in place (opendkim.conf(5)).
std::vector<Setting> settings(Result& r, const ReadFile& read, const std::string& path,
                              const std::string& text, int depth) {
  const ReadSettings rs = read_settings(text, Syntax::name_value);
  note_malformed(r, path, rs.malformed);
  std::vector<Setting> out;
  for (Setting s : rs.settings) {
    s.file = path == r.source ? "" : path;
    if (to_lower(s.name) != "include") {
      out.push_back(std::move(s));
      continue;
    }
    const std::string at = where(path, s.line);
    if (depth >= kMaxIncludeDepth) {
      r.note(at, s.name + " " + s.value,
             fmt::format("more than {} nested Include files", kMaxIncludeDepth));
      continue;
    }
    auto included = read(s.value);
    if (!included || included->size() > kMaxSourceOctets) {
      r.note(at, s.name + " " + s.value,
             fmt::format("cannot read it ({}): import it separately",
                         included ? "too large" : included.error()));
      continue;
    }
    auto inner = settings(r, read, s.value, *included, depth + 1);
    out.insert(out.end(), std::make_move_iterator(inner.begin()),
               std::make_move_iterator(inner.end()));
  }
  return out;
}

Result import_opendkim(const std::string& path, const ReadFile& read) {
  Result r{"opendkim", path, {}, {}};
  const auto all = settings(r, read, path, read_source(read, path), 0);
  OpenDkim importer(r, read);
  for (const auto& s : all) importer.apply(s);
  importer.finish();
  sort_notes(r.notes);
  return r;
}

}  // namespace postseal::migrate
