// commands.cpp - `postseal srs forward|reverse ADDRESS` and `postseal srsd`, and the [srs]
// config keys.
//
// Untrusted input: the command line and the config file (local admin). Each option is checked
// at start-up (separator, hash length, max age, listen addresses, secrets file permissions);
// a problem is a StartupError naming the option or file.
#include "srs/commands.hpp"

#include "core/net/endpoint.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/log.hpp"
#include "srs/codec.hpp"
#include "srs/daemon.hpp"
#include "srs/rewriter.hpp"
#include "srs/secrets.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <optional>

namespace postseal::srs {
namespace {

constexpr config::Key kKeys[] = {
    {"srs.domain", config::Type::string, "\"\"", 0, 0,
     "the SRS domain: rewritten senders are @ this domain (required)"},
    {"srs.secrets_file", config::Type::string, "\"/etc/postseal/srs.secret\"", 0, 0,
     "secrets, one per line, mode 0600; the first signs, all verify"},
    {"srs.local_domains", config::Type::strings, "[]", 0, 0,
     "sender domains never rewritten: \"example.com\" exact, \".example.com\" subdomains"},
    {"srs.separator", config::Type::string, "\"=\"", 0, 0, "separator after SRS0/SRS1: = + or -"},
    {"srs.hash_length", config::Type::integer, "4", kMinHashLength, kMaxHashLength,
     "hash characters written, and the fewest accepted"},
    {"srs.max_age", config::Type::integer, "21", 1, kMaxAgeLimit, "days an SRS address stays valid"},
    {"srs.socketmap", config::Type::string, "\"127.0.0.1:10003\"", 0, 0,
     "socketmap listener (host:port or unix:/path); empty: off"},
    {"srs.tcp_forward", config::Type::string, "\"127.0.0.1:10001\"", 0, 0,
     "tcp_table forward listener (postsrsd's); empty: off"},
    {"srs.tcp_reverse", config::Type::string, "\"127.0.0.1:10002\"", 0, 0,
     "tcp_table reverse listener (postsrsd's); empty: off"},
    {"srs.user", config::Type::string, "\"\"", 0, 0, "user to run as after binding; empty: stay"},
    {"srs.threads", config::Type::integer, "1", 1, 64, "threads serving connections"},
    {"srs.max_connections", config::Type::integer, "256", 1, 100000, "connections per listener"},
    {"srs.idle_timeout", config::Type::integer, "300", 1, 86400,
     "seconds a connection may stay idle"},
};

// Options - everything either command can be given; unset optionals fall back to the file.
struct Options {
  std::string config;
  std::string address;
  std::optional<std::string> domain, secrets_file, separator, socketmap, tcp_forward, tcp_reverse, user;
  std::optional<int> hash_length, max_age, threads;
  std::optional<std::int64_t> now;
  std::vector<std::string> local_domains;
  bool verbose = false, syslog = false;
};

config::File load_config(const Options& o) {
  return o.config.empty() ? config::File() : config::File::load(o.config);
}

std::string pick(const std::optional<std::string>& flag, const config::File& f, std::string_view key) {
  return flag ? *flag : f.string(key);
}

int pick(const std::optional<int>& flag, const config::File& f, std::string_view key) {
  return flag ? *flag : static_cast<int>(f.integer(key));
}

SrsOptions srs_options(const Options& o, const config::File& f) {
  SrsOptions s;
  const std::string sep = pick(o.separator, f, "srs.separator");
  if (sep.size() != 1) throw usage_error("separator must be one character: = + or -");
  s.separator = sep[0];
  s.hash_length = pick(o.hash_length, f, "srs.hash_length");
  s.max_age = pick(o.max_age, f, "srs.max_age");
  if (auto ok = check_options(s); !ok) throw usage_error(ok.error());
  return s;
}

std::optional<net::Endpoint> endpoint(const std::string& text, std::string_view what) {
  if (text.empty()) return std::nullopt;
  auto ep = net::parse_endpoint(text);
  if (!ep) throw usage_error(fmt::format("{} '{}': {}", what, text, ep.error()));
  return *ep;
}

// Clock that reads --now when given.
std::unique_ptr<Clock> make_clock(const Options& o) {
  if (o.now) return std::make_unique<FixedClock>(*o.now);
  return std::make_unique<SystemClock>();
}

int run_one(const Options& o, bool forward) {
  const config::File f = load_config(o);
  const SrsOptions opts = srs_options(o, f);
  const std::string domain = pick(o.domain, f, "srs.domain");
  if (forward && domain.empty()) throw usage_error("srs forward needs --domain");
  const auto secrets = load_secrets(pick(o.secrets_file, f, "srs.secrets_file"));
  const auto clock = make_clock(o);
  const SrsCodec codec(opts, secrets, *clock);
  const SrsResult r = forward ? codec.forward(o.address, domain) : codec.reverse(o.address);
  if (!r) {
    std::fprintf(stderr, "%s: %s\n", std::string(error_name(r.error().error)).c_str(),
                 r.error().reason.c_str());
    return 1;
  }
  std::printf("%s\n", r->c_str());
  return 0;
}

int run_srsd(const Options& o) {
  log::open("postseal/srsd", o.syslog ? log::Target::syslog : log::Target::stderr_stream);
  log::set_verbose(o.verbose);
  const config::File f = load_config(o);
  const SrsOptions opts = srs_options(o, f);
  const std::string domain = pick(o.domain, f, "srs.domain");
  if (domain.empty()) throw usage_error("srsd needs an SRS domain (--domain or srs.domain)");
  DaemonSettings s;
  s.socketmap = endpoint(pick(o.socketmap, f, "srs.socketmap"), "socketmap");
  s.tcp_forward = endpoint(pick(o.tcp_forward, f, "srs.tcp_forward"), "tcp-forward");
  s.tcp_reverse = endpoint(pick(o.tcp_reverse, f, "srs.tcp_reverse"), "tcp-reverse");
  if (!s.socketmap && !s.tcp_forward && !s.tcp_reverse) throw usage_error("srsd has no listener");
  s.user = pick(o.user, f, "srs.user");
  s.threads = pick(o.threads, f, "srs.threads");
  if (s.threads < 1 || s.threads > 64) throw usage_error("threads must be 1-64");
  s.max_connections = static_cast<std::size_t>(f.integer("srs.max_connections"));
  s.idle_timeout = std::chrono::seconds(f.integer("srs.idle_timeout"));
  s.verbose = o.verbose;
  std::vector<std::string> locals = o.local_domains.empty() ? f.strings("srs.local_domains") : o.local_domains;
  const auto secrets = load_secrets(pick(o.secrets_file, f, "srs.secrets_file"));
  const SystemClock clock;
  const SrsCodec codec(opts, secrets, clock);
  const Rewriter rewriter(codec, domain, std::move(locals));
  return run_daemon(s, rewriter);
}

void add_scheme_options(CLI::App* sub, Options& o) {
  sub->add_option("-c,--config", o.config, "postseal.toml to read [srs] settings from");
  sub->add_option("--domain", o.domain, "SRS domain (srs.domain)");
  sub->add_option("--secrets-file", o.secrets_file, "secrets file, mode 0600 (srs.secrets_file)");
  sub->add_option("--separator", o.separator, "= + or - (srs.separator, default =)");
  sub->add_option("--hash-length", o.hash_length, "hash characters (srs.hash_length, default 4)");
  sub->add_option("--max-age", o.max_age, "days an address stays valid (srs.max_age, default 21)");
}

void add_one_shot(CLI::App& srs, Runner& run, const std::shared_ptr<Options>& o, bool forward) {
  auto* sub = srs.add_subcommand(forward ? "forward" : "reverse",
                                 forward ? "Rewrite a sender into an SRS address of --domain"
                                         : "Undo an SRS address after checking its hash and age");
  sub->add_option("address", o->address, "the address")->required();
  add_scheme_options(sub, *o);
  sub->add_option("--now", o->now, "UNIX time to use as now (replays vectors)");
  sub->callback([&run, o, forward] { run = [o, forward] { return run_one(*o, forward); }; });
}

}  // namespace

void add_commands(CLI::App& app, Runner& run) {
  auto one = std::make_shared<Options>();
  auto* srs = app.add_subcommand(
      "srs", "One SRS rewrite: prints the address, or the error class and reason (exit 1)");
  srs->require_subcommand(1);
  add_one_shot(*srs, run, one, true);
  add_one_shot(*srs, run, one, false);

  auto o = std::make_shared<Options>();
  auto* d = app.add_subcommand(
      "srsd", "SRS lookup daemon for Postfix: socketmap and postsrsd-compatible tcp_table");
  add_scheme_options(d, *o);
  d->add_option("--socketmap", o->socketmap, "socketmap listener, \"\" for none (default 127.0.0.1:10003)");
  d->add_option("--tcp-forward", o->tcp_forward, "tcp_table forward listener (default 127.0.0.1:10001)");
  d->add_option("--tcp-reverse", o->tcp_reverse, "tcp_table reverse listener (default 127.0.0.1:10002)");
  d->add_option("--local-domain", o->local_domains, "never rewrite senders of this domain (repeatable; .d for subdomains)");
  d->add_option("--user", o->user, "user to run as after binding");
  d->add_option("--threads", o->threads, "threads serving connections (default 1)");
  d->add_flag("-v,--verbose", o->verbose, "log every lookup");
  d->add_flag("--syslog", o->syslog, "log to syslog (mail facility) instead of stderr");
  d->callback([&run, o] { run = [o] { return run_srsd(*o); }; });
}

std::span<const config::Key> config_keys() { return kKeys; }

}  // namespace postseal::srs
