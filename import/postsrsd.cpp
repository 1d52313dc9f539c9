// postsrsd.cpp - `postseal import postsrsd FILE`: postsrsd 1's /etc/default/postsrsd (Debian
// 12, sourced by its start script) or postsrsd 2's postsrsd.conf (libconfuse) -> [srs].
//
// postsrsd 1: the variables the Debian launcher passes on (SRS_DOMAIN, SRS_EXCLUDE_DOMAINS,
// SRS_SEPARATOR, SRS_SECRET, SRS_HASHLENGTH, SRS_HASHMIN, SRS_FORWARD_PORT, SRS_REVERSE_PORT,
// SRS_LISTEN_ADDR, RUN_AS, CHROOT, SRS_EXTRA_OPTIONS), with the launcher's defaults for those
// the file leaves out, so srsd answers on the same ports with the same secret; postsrsd 1 has
// no socketmap, so none is opened. postsrsd 2: domains, domains-file, srs-domain, socketmap,
// keep-alive, connection-limit, secrets-file, separator, hash-length, hash-minimum,
// unprivileged-user; its tcp_table-free setup keeps srsd's tcp listeners off. The SRS secret
// must stay the same file, or every SRS address already sent out stops reversing.
// Untrusted input: the file (config_lines.hpp) and a domains-file it names.
#include "import/config_lines.hpp"
#include "import/importers.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

#include <charconv>
#include <map>
#include <optional>

namespace postseal::migrate {
namespace {

std::optional<long> number(std::string_view v, long min, long max) {
  long n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < min || n > max) return std::nullopt;
  return n;
}

// from_shell - a value sh computes at start ($VAR, `cmd`, $(cmd)): not a constant.
bool from_shell(std::string_view v) { return v.find_first_of("$`") != std::string_view::npos; }

std::string host_port(std::string_view host, std::string_view port) {
  if (host.find(':') != std::string_view::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

// separator - one of = + - (what srsd writes after SRS0/SRS1).
void separator(Result& r, Section& srs, const Setting& s, const std::string& at,
               const std::string& shown, const std::string& origin) {
  if (s.value != "=" && s.value != "+" && s.value != "-")
    return r.note(at, shown, "srs.separator is one of = + -");
  add(srs, "separator", toml_string(s.value), origin);
}

// Common - what both formats set: the SRS scheme and the user.
struct Scheme {
  std::optional<Setting> hash_length, hash_minimum;
};

// hash_keys - hash_length from the hash length, and a note when the minimum accepted differs
// (`sep` joins name and value as the source writes them: "=" or " = ").
void hash_keys(Result& r, Section& srs, const Scheme& h, std::string_view sep) {
  long length = 4;
  if (h.hash_length) {
    auto n = number(h.hash_length->value, 1, 27);
    if (!n)
      r.note(where(r.source, h.hash_length->line),
             h.hash_length->name + std::string(sep) + h.hash_length->value,
             "srs.hash_length takes 1-27");
    else {
      length = *n;
      add(srs, "hash_length", std::to_string(*n),
          fmt::format("{}: {}{}{}", where(r.source, h.hash_length->line), h.hash_length->name, sep,
                      h.hash_length->value));
    }
  }
  if (h.hash_minimum && number(h.hash_minimum->value, 1, 27).value_or(length) != length)
    r.note(where(r.source, h.hash_minimum->line),
           h.hash_minimum->name + std::string(sep) + h.hash_minimum->value,
           fmt::format(
               "srs.hash_length is also the fewest hash characters accepted ({}): addresses with "
               "shorter hashes no longer reverse",
               length));
}

// Postsrsd1 - /etc/default/postsrsd.
class Postsrsd1 {
 public:
  Postsrsd1(Result& r, std::string_view mydomain)
      : r_(r), srs_(r.section("srs")), mydomain_(mydomain) {}

  void apply(const Setting& s) {
    const std::string at = where(r_.source, s.line);
    const std::string shown = s.name + "=" + s.value;
    const std::string origin = fmt::format("{}: {}", at, shown);
    if (from_shell(s.value) && s.name != "SRS_EXTRA_OPTIONS")
      return r_.note(at, shown,
                     "computed by the shell when postsrsd starts: set the postseal key by hand");
    for (auto later : {"SRS_DOMAIN", "SRS_HASHLENGTH", "SRS_HASHMIN", "SRS_FORWARD_PORT",
                       "SRS_REVERSE_PORT", "SRS_LISTEN_ADDR"})
      if (s.name == later) {  // used in finish(), with the other settings they combine with
        later_[s.name] = s;
        return;
      }
    if (s.name == "SRS_EXCLUDE_DOMAINS")
      return add(srs_, "local_domains", toml_strings(split_items(s.value, " ,")), origin);
    if (s.name == "SRS_SEPARATOR") return separator(r_, srs_, s, at, shown, origin);
    if (s.name == "SRS_SECRET") return add(srs_, "secrets_file", toml_string(s.value), origin);
    if (s.name == "RUN_AS") return add(srs_, "user", toml_string(s.value), origin);
    if (s.name == "CHROOT") {
      if (!s.value.empty())
        r_.note(at, shown, "srsd does not chroot; its systemd unit confines it");
      return;
    }
    if (s.name == "SRS_EXTRA_OPTIONS") return extra_options(s, at, shown);
    r_.note(at, shown, "not a variable postsrsd's start script passes on");
  }

  void finish() {
    if (auto d = later("SRS_DOMAIN"))
      add(srs_, "domain", toml_string(d->value),
          fmt::format("{}: SRS_DOMAIN={}", where(r_.source, d->line), d->value));
    else if (!mydomain_.empty())
      add(srs_, "domain", toml_string(mydomain_),
          "SRS_DOMAIN is not set: postsrsd used `postconf -h mydomain`");
    else r_.note(r_.source, "SRS_DOMAIN", "not set and Postfix's mydomain unknown: set srs.domain");
    if (!has_key(srs_, "secrets_file"))
      add(srs_, "secrets_file", toml_string("/etc/postsrsd.secret"),
          "postsrsd's default SRS_SECRET");
    if (!has_key(srs_, "user"))
      add(srs_, "user", toml_string("postsrsd"), "postsrsd's default RUN_AS");
    hash_keys(r_, srs_, Scheme{later("SRS_HASHLENGTH"), later("SRS_HASHMIN")}, "=");
    const auto listen = later("SRS_LISTEN_ADDR");
    // postsrsd resolves a host name; srsd listens on addresses: localhost is 127.0.0.1
    const std::string host = !listen || listen->value == "localhost" ? "127.0.0.1" : listen->value;
    for (auto [key, name, fallback] : {std::tuple{"tcp_forward", "SRS_FORWARD_PORT", "10001"},
                                       {"tcp_reverse", "SRS_REVERSE_PORT", "10002"}}) {
      const auto port = later(name);
      const std::string p = port ? port->value : fallback;
      std::string origin = port ? where(r_.source, port->line) + ": " + port->name + "=" + p
                                : fmt::format("postsrsd's default port {}", p);
      if (listen)
        origin += fmt::format(", {}: SRS_LISTEN_ADDR={}", where(r_.source, listen->line), host);
      if (!number(p, 1, 65535))
        r_.note(r_.source, std::string(key) + " port " + p, "not a port number");
      else add(srs_, key, toml_string(host_port(host, p)), origin);
    }
    add(srs_, "socketmap", toml_string(""),
        "postsrsd 1 has no socketmap listener (set one to use socketmap: lookups)");
  }

 private:
  std::optional<Setting> later(const std::string& name) const {
    auto it = later_.find(name);
    return it == later_.end() ? std::nullopt : std::optional<Setting>(it->second);
  }

  void extra_options(const Setting& s, const std::string& at, const std::string& shown) {
    const auto words = split_items(s.value, " \t");
    for (std::size_t i = 0; i < words.size(); ++i) {
      const std::string& w = words[i];
      if (w.starts_with("-t")) {
        std::string n = w.size() > 2 ? w.substr(2) : (i + 1 < words.size() ? words[++i] : "");
        if (auto t = number(n, 1, 86400)) {
          add(srs_, "idle_timeout", std::to_string(*t),
              fmt::format("{}: -t{} (SRS_EXTRA_OPTIONS)", at, n));
          continue;
        }
      }
      r_.note(at, shown + " (" + w + ")",
              w == "-A" ? "no 'always rewrite': addresses in the SRS domain are not rewritten"
                        : "no postseal equivalent of this postsrsd option");
    }
  }

  Result& r_;
  Section& srs_;
  std::string mydomain_;
  std::map<std::string, Setting> later_;
};

// socketmap_endpoint - postsrsd 2's "inet:localhost:10003" / "unix:/path" for srs.socketmap.
std::string socketmap_endpoint(std::string_view v) {
  if (v.starts_with("inet:localhost:")) return "127.0.0.1:" + std::string(v.substr(15));
  return std::string(v);
}

// Postsrsd2 - postsrsd.conf (libconfuse).
class Postsrsd2 {
 public:
  Postsrsd2(Result& r, const ReadFile& read) : r_(r), srs_(r.section("srs")), read_(read) {}

  void apply(const Setting& s) {
    const std::string at = where(r_.source, s.line);
    const std::string shown = s.name + " = " + (s.is_list ? "{" + s.value + "}" : s.value);
    const std::string origin = fmt::format("{}: {}", at, shown);
    if (s.name == "domains")
      return add_domains(s.is_list ? s.list : split_items(s.value, ","), origin);
    if (s.name == "domains-file") return domains_file(s, at, shown);
    if (s.name == "srs-domain") return add(srs_, "domain", toml_string(s.value), origin);
    if (s.name == "socketmap")
      return add(srs_, "socketmap", toml_string(socketmap_endpoint(s.value)), origin);
    if (s.name == "secrets-file") return add(srs_, "secrets_file", toml_string(s.value), origin);
    if (s.name == "separator") return separator(r_, srs_, s, at, shown, origin);
    if (s.name == "hash-length" || s.name == "hash-minimum") {
      (s.name == "hash-length" ? hash_.hash_length : hash_.hash_minimum) = s;
      return;
    }
    if (s.name == "unprivileged-user") return add(srs_, "user", toml_string(s.value), origin);
    if (s.name == "keep-alive") return seconds(s, "idle_timeout", 86400, at, shown, origin);
    if (s.name == "connection-limit")
      return seconds(s, "max_connections", 100000, at, shown, origin);
    if (s.name == "original-envelope") {
      if (s.value != "embedded")
        r_.note(at, shown, "srsd embeds the original sender (no database)");
      return;
    }
    if (s.name == "always-rewrite" && s.value == "off") return;
    if (s.name == "chroot-dir" && s.value.empty()) return;
    if (s.name == "syslog" || s.name == "debug")
      return r_.note(at, shown, "logging is chosen on the command line (--log, -v/--verbose)");
    r_.note(at, shown,
            s.name == "milter" ? "srsd has no milter: use the socketmap (conf/postfix/srs-main.cf)"
                               : "no postseal equivalent");
  }

  void finish() {
    if (!local_domains_.empty())
      add(srs_, "local_domains", toml_strings(local_domains_), domains_origin_);
    if (!has_key(srs_, "domain") && !local_domains_.empty())
      add(srs_, "domain", toml_string(local_domains_.front()),
          "no srs-domain: postsrsd uses the first local domain");
    else if (!has_key(srs_, "domain"))
      r_.note(r_.source, "srs-domain", "neither srs-domain nor domains is set: set srs.domain");
    if (!has_key(srs_, "socketmap"))
      add(srs_, "socketmap", toml_string("unix:/var/spool/postfix/srs"),
          "postsrsd 2's default socketmap");
    if (!has_key(srs_, "secrets_file"))
      r_.note(r_.source, "secrets-file (not set)",
              "postsrsd 2's built-in path depends on its build: set srs.secrets_file to the file "
              "it used, or "
              "SRS addresses already sent stop reversing");
    hash_keys(r_, srs_, hash_, " = ");
    add(srs_, "tcp_forward", toml_string(""), "postsrsd 2 serves no tcp_table");
    add(srs_, "tcp_reverse", toml_string(""), "postsrsd 2 serves no tcp_table");
  }

 private:
  void add_domains(const std::vector<std::string>& items, const std::string& origin) {
    local_domains_.insert(local_domains_.end(), items.begin(), items.end());
    domains_origin_ += (domains_origin_.empty() ? "" : "; ") + origin;
  }

  void domains_file(const Setting& s, const std::string& at, const std::string& shown) {
    auto text = read_(s.value);
    if (!text || text->size() > kMaxSourceOctets)
      return r_.note(at, shown,
                     fmt::format("cannot read it ({}): copy its domains into srs.local_domains",
                                 text ? "too large" : text.error()));
    std::vector<std::string> domains;  // one per line; '#' comments
    for (const auto& line : read_settings(*text, Syntax::name_value).settings)
      domains.push_back(line.name);
    add_domains(domains, fmt::format("{} (read now; srsd does not watch it)", at + ": " + shown));
  }

  void seconds(const Setting& s, const char* key, long max, const std::string& at,
               const std::string& shown, const std::string& origin) {
    auto n = number(s.value, 1, max);
    if (!n) return r_.note(at, shown, fmt::format("srs.{} takes 1-{}", key, max));
    add(srs_, key, std::to_string(*n), origin);
  }

  Result& r_;
  Section& srs_;
  const ReadFile& read_;
  std::vector<std::string> local_domains_;
  std::string domains_origin_;
  Scheme hash_;
};

// is_default_file - NAME=value assignments of postsrsd 1's variables (else postsrsd 2).
bool is_default_file(const ReadSettings& shell) {
  for (const auto& s : shell.settings)
    if (s.name.starts_with("SRS_") || s.name == "RUN_AS" || s.name == "CHROOT") return true;
  return false;
}

}  // namespace

Result import_postsrsd(const std::string& path, const ReadFile& read, std::string_view mydomain) {
  Result r{"postsrsd", path, {}, {}};
  const std::string text = read_source(read, path);
  const ReadSettings shell = read_settings(text, Syntax::shell);
  if (is_default_file(shell)) {
    Postsrsd1 importer(r, mydomain);
    run_importer(r, importer, shell, path);
  } else {
    Postsrsd2 importer(r, read);
    run_importer(r, importer, read_settings(text, Syntax::confuse), path);
  }
  return r;
}

}  // namespace postseal::migrate
