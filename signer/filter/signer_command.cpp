// signer_command.cpp - `postseal signer`: the DKIM-signing after-queue content filter, and
// the [signer] keys of postseal.toml (filter_config_keys()).
//
// Untrusted input: the command line and config file. Command-line options override the file.
// Without -c and without --key it is a pass-through filter (useful to measure Postfix alone).
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "signer/commands.hpp"
#include "signer/filter/filter_server.hpp"

#include <CLI/CLI.hpp>

#include <array>
#include <memory>

namespace postseal::signer {
namespace {

using config::Key;
using config::Type;

constexpr std::array kKeys{
    Key{"signer.listen", Type::string, "\"127.0.0.1:10027\"", 0, 0,
        "where Postfix's dksign transport connects: HOST:PORT or unix:/path"},
    Key{"signer.relay", Type::string, "\"127.0.0.1:10028\"", 0, 0,
        "the reinjection smtpd (master.cf 127.0.0.1:10028 ... smtpd)"},
    Key{"signer.protocol", Type::string, "\"smtp\"", 0, 0, "\"smtp\" or \"lmtp\" towards Postfix"},
    Key{"signer.user", Type::string, "\"\"", 0, 0, "drop root to this user after binding and loading keys"},
    Key{"signer.hostname", Type::string, "\"\"", 0, 0, "name in the greeting and EHLO (default: gethostname)"},
    Key{"signer.threads", Type::integer, "2", 1, 64, "threads serving sessions"},
    Key{"signer.max_connections", Type::integer, "100", 1, 10000,
        "sessions at once; more get 421 (match the dksign maxproc in master.cf)"},
    Key{"signer.command_timeout", Type::integer, "300", 1, 3600, "seconds to wait for each command or DATA read"},
    Key{"signer.session_timeout", Type::integer, "3600", 10, 86400, "seconds a session may last in all"},
    Key{"signer.relay_timeout", Type::integer, "300", 1, 590,
        "seconds to wait for the reinjection server per step (below Postfix's 600 s)"},
    Key{"signer.shutdown_grace", Type::integer, "30", 0, 600,
        "seconds SIGTERM waits for transactions in progress"},
    Key{"signer.max_message_size", Type::integer, "104857600", 1024, 4294967296,
        "largest message accepted, octets (advertised as SIZE)"},
    Key{"signer.memory_spool", Type::integer, "1048576", 0, 1073741824,
        "message octets kept in memory before spooling to an unlinked temp file"},
    Key{"signer.spool_directory", Type::string, "\"/var/tmp\"", 0, 0, "where spool files are made (unlinked at once)"},
    Key{"signer.xforward_hosts", Type::strings, "[\"127.0.0.0/8\", \"::1\"]", 0, 0,
        "clients allowed to send XFORWARD (others get 550)"},
    Key{"signer.domain", Type::tables, "[]", 0, 0, "one [[signer.domain]] table per signing domain"},
    Key{"signer.domain[].name", Type::string, "\"\"", 0, 0, "the From domain, also d="},
    Key{"signer.domain[].keys", Type::strings, "[]", 0, 0,
        "\"SELECTOR:KEYFILE\" entries; an RSA and an Ed25519 key give dual signatures"},
    Key{"signer.domain[].subdomains", Type::boolean, "false", 0, 0, "sign mail from subdomains with this domain's keys"},
    Key{"signer.domain[].headers", Type::strings, "[]", 0, 0, "h= list; empty: the recommended set, oversigned"},
    Key{"signer.domain[].canonicalization", Type::string, "\"relaxed/relaxed\"", 0, 0,
        "c=: header/body, each simple or relaxed"},
    Key{"signer.domain[].expire", Type::integer, "0", 0, 31536000, "x= lifetime in seconds; 0: no x="},
    Key{"signer.domain[].require_signature", Type::boolean, "false", 0, 0,
        "tempfail (4xx) this domain's mail when it cannot be signed, instead of passing it unsigned"},
};

struct Cli {
  std::string config_path;
  std::string listen, relay, user, protocol;
  std::vector<std::string> keys;
  bool foreground = false, verbose = false;
};

FilterOptions make_options(const Cli& cli) {
  FilterOptions o;
  std::optional<config::File> file;
  if (!cli.config_path.empty()) {
    file = config::File::load(cli.config_path);
    o.config_path = cli.config_path;
  }
  o.config = load_filter_config(file ? &*file : nullptr);
  auto endpoint = [](const std::string& text, const char* what) {
    auto e = net::parse_endpoint(text);
    if (!e) throw usage_error(std::string(what) + " " + text + ": " + e.error());
    return *e;
  };
  if (!cli.listen.empty()) o.config.listen = endpoint(cli.listen, "--listen");
  if (!cli.relay.empty()) o.config.relay = endpoint(cli.relay, "--relay");
  if (!cli.user.empty()) o.config.user = cli.user;
  if (!cli.protocol.empty()) o.config.lmtp = cli.protocol == "lmtp";
  for (const auto& k : cli.keys) o.keys.push_back(parse_key_option(k));
  o.foreground = cli.foreground;
  o.verbose = cli.verbose;
  return o;
}

}  // namespace

std::span<const config::Key> filter_config_keys() { return kKeys; }

void add_signer_command(CLI::App& app, Runner& run) {
  auto* sub = app.add_subcommand("signer",
      "DKIM-signing content filter for Postfix's submission path.\n"
      "main.cf/master.cf: content_filter=dksign:[127.0.0.1]:10027 on submission, a dksign smtp\n"
      "transport with smtp_send_xforward_command=yes, and a 127.0.0.1:10028 smtpd for\n"
      "reinjection (see conf/postfix/signer-master.cf). Mail is answered 250 only after the\n"
      "reinjection server accepted it; any local failure is a 4xx so Postfix keeps the mail.\n"
      "SIGHUP reloads keys and config; SIGTERM finishes transactions in progress and exits.");
  auto cli = std::make_shared<Cli>();
  sub->add_option("-c,--config", cli->config_path, "postseal.toml ([signer] section and [[signer.domain]] tables)");
  sub->add_option("--listen", cli->listen, "listen address (default 127.0.0.1:10027; unix:/path for a socket)");
  sub->add_option("--relay", cli->relay, "reinjection server (default 127.0.0.1:10028)");
  sub->add_option("--key", cli->keys,
                  "DOMAIN:SELECTOR:KEYFILE, repeatable (two keys for a domain: dual RSA+Ed25519). "
                  "Key files must be mode 0600 or 0400");
  sub->add_option("--user", cli->user, "drop root to this user after binding and loading keys");
  sub->add_option("--protocol", cli->protocol, "smtp (default) or lmtp")->check(CLI::IsMember({"smtp", "lmtp"}));
  sub->add_flag("--foreground", cli->foreground, "log to stderr instead of syslog (mail facility)");
  sub->add_flag("-v,--verbose", cli->verbose, "log debug lines too");
  sub->callback([&run, cli] {
    run = [cli] { return run_filter(make_options(*cli)); };
  });
}

}  // namespace postseal::signer
