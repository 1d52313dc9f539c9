// signer_command.cpp - `postseal signer`: the DKIM-signing after-queue content filter, and
// the [signer] keys of postseal.toml (filter_config_keys()).
//
// Untrusted input: the command line and config file. Command-line options override the file.
// Without -c and without --key it is a pass-through filter (useful to measure Postfix alone).
#include "core/crypto/private_key.hpp"
#include "core/net/privileges.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "signer/commands.hpp"
#include "signer/filter/filter_server.hpp"
#include "signer/filter/filter_config.hpp"
#include "signer/filter/signing_table.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <array>
#include <memory>
#include <vector>

namespace postseal::signer {
namespace {

using config::Key;
using config::Type;

const std::array kDomainKeys{
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
    Key{"signer.multiple_signatures", Type::boolean, "false", 0, 0,
        "sign with every matching [[signer.sender]] and [[signer.domain]] row, most specific first "
        "(OpenDKIM's MultipleSignatures; each key once, at most 8 signatures), not only the first"},
    Key{"signer.sender", Type::tables, "[]", 0, 0,
        "one [[signer.sender]] table per sender address or pattern signed with its own keys (sender_rows.hpp)"},
    Key{"signer.sender[].address", Type::string, "\"\"", 0, 0,
        "alice@example.com, *@example.com or *@*.example.com (case-insensitive; a quoted local part "
        "compares unquoted)"},
    Key{"signer.sender[].domain", Type::string, "\"\"", 0, 0, "d=; default: the address's domain"},
    Key{"signer.sender[].keys", Type::strings, "[]", 0, 0, "\"SELECTOR:KEYFILE\" entries signing with d= domain"},
    Key{"signer.sender[].identity", Type::string, "\"\"", 0, 0, "i= (AUID), within d=; default: none"},
};

struct Cli {
  std::string config_path;
  std::string listen, relay, user, protocol;
  std::vector<std::string> keys;
  net::LogOptions log;
};

// configured - the [signer] relay settings of `file` under the command line's overrides.
FilterConfig configured(const Cli& cli, const config::File* file) {
  FilterConfig c = load_filter_config(file);
  auto endpoint = [](const std::string& text, const char* what) {
    auto e = net::parse_endpoint(text);
    if (!e) throw usage_error(std::string(what) + " " + text + ": " + e.error());
    return *e;
  };
  if (!cli.listen.empty()) c.listen = endpoint(cli.listen, "--listen");
  if (!cli.relay.empty()) c.relay = endpoint(cli.relay, "--relay");
  if (!cli.user.empty()) c.user = cli.user;
  if (!cli.protocol.empty()) c.lmtp = cli.protocol == "lmtp";
  return c;
}

FilterOptions make_options(const Cli& cli) {
  FilterOptions o;
  const std::string path = config::resolve_path(cli.config_path);
  const config::File file = path.empty() ? config::File{} : config::File::load(path);
  if (!path.empty()) o.config_path = path;
  o.configure = [cli](const config::File* f) { return configured(cli, f); };
  o.config = o.configure(&file);
  o.restart_keys = {"signer.threads", "signer.max_connections", "metrics.listen"};
  if (cli.listen.empty()) o.restart_keys.emplace_back("signer.listen");
  if (cli.user.empty()) o.restart_keys.emplace_back("signer.user");
  for (const auto& k : cli.keys) o.keys.push_back(parse_key_option(k));
  o.log = cli.log;
  o.metrics = metrics::load_options(file, metrics::Daemon::signer);
  return o;
}

// key_reader_problems - the [[signer.domain]] and [[signer.sender]] key files `user` could not read: keys are loaded
// as root at start but reloaded (SIGHUP) as the user the signer dropped to.
std::vector<std::string> key_reader_problems(const config::File& file, const std::string& user) {
  std::vector<std::string> problems;
  const auto ids = user.empty() ? std::nullopt : net::user_ids(user);
  if (!ids) return problems;  // no user, or an unknown one (daemon_problems says so)
  for (const auto* rows : {"signer.domain", "signer.sender"})
    for (const toml::table* t : file.tables(rows))
      for (const auto& entry : config::table_strings(*t, "keys", fmt::format("{}[].keys", rows)))
        if (auto colon = entry.find(':'); colon != std::string::npos)
          if (auto p = crypto::unreadable_by(entry.substr(colon + 1), user, ids->uid, ids->gid)) problems.push_back(*p);
  return problems;
}

}  // namespace

std::vector<std::string> check_signer_config(const config::File& file) {
  std::vector<std::string> problems;
  if (!file.has("signer")) return problems;
  try {
    const FilterConfig config = load_filter_config(&file);
    problems = net::daemon_problems(file.source(), "signer", config.user, config.max_connections, kFdsPerSession);
    for (auto& p : key_reader_problems(file, config.user)) problems.push_back(std::move(p));
  } catch (const StartupError& e) {
    problems.emplace_back(e.what());
  }
  auto table = build_signing_table(&file, {});
  if (!table) {  // one problem per line, so check-config locates each by itself
    std::string_view errors = table.error();
    for (auto end = errors.find('\n'); !errors.empty(); end = errors.find('\n')) {
      problems.emplace_back(errors.substr(0, end));
      errors.remove_prefix(end == std::string_view::npos ? errors.size() : end + 1);
    }
  } else
    for (const auto& w : (*table)->warnings()) problems.push_back("warning: " + w);
  if (table && !(*table)->senders().empty() && file.has("keys.rotation") && file.boolean("keys.rotation"))
    problems.push_back(fmt::format("warning: {}: keys.rotation = true rotates [[signer.domain]] keys only; the "
                                   "{} [[signer.sender]] rows sign with their configured keys (docs/key-rotation.md)",
                                   file.where("keys.rotation"), (*table)->senders().size()));
  return problems;
}

std::span<const config::Key> filter_config_keys() {
  // the relay keys of the [signer] section, then the signing domains
  static const std::vector<Key> keys = [] {
    auto relay_keys = relay::relay_config_keys("signer", filter_defaults());
    std::vector<Key> all(relay_keys.begin(), relay_keys.end());
    all.insert(all.end(), kDomainKeys.begin(), kDomainKeys.end());
    return all;
  }();
  return keys;
}

void add_signer_command(CLI::App& app, Runner& run) {
  auto* sub = app.add_subcommand("signer",
      "DKIM-signing content filter for Postfix's submission path.\n"
      "main.cf/master.cf: content_filter=dksign:[127.0.0.1]:10027 on submission, a dksign smtp\n"
      "transport with smtp_send_xforward_command=yes, and a 127.0.0.1:10028 smtpd for\n"
      "reinjection (see conf/postfix/signer-master.cf). Mail is answered 250 only after the\n"
      "reinjection server accepted it; any local failure is a 4xx so Postfix keeps the mail.\n"
      "SIGHUP reloads keys and config (with keys.rotation = true also which rotated keys are\n"
      "active, docs/key-rotation.md); SIGTERM finishes transactions in progress and exits.");
  auto cli = std::make_shared<Cli>();
  sub->add_option("-c,--config", cli->config_path,
                  "postseal.toml ([signer] section, [[signer.domain]] and [[signer.sender]] tables; default "
                  "/etc/postseal/postseal.toml if present)");
  sub->add_option("--listen", cli->listen, "listen address (default 127.0.0.1:10027; unix:/path for a socket)");
  sub->add_option("--relay", cli->relay, "reinjection server (default 127.0.0.1:10028)");
  sub->add_option("--key", cli->keys,
                  "DOMAIN:SELECTOR:KEYFILE, repeatable (two keys for a domain: dual RSA+Ed25519). "
                  "Key files must be mode 0600 or 0400");
  sub->add_option("--user", cli->user, "drop root to this user after binding and loading keys");
  sub->add_option("--protocol", cli->protocol, "smtp (default) or lmtp")->check(CLI::IsMember({"smtp", "lmtp"}));
  net::add_log_options(sub, cli->log);
  sub->callback([&run, cli] {
    run = [cli] { return run_filter(make_options(*cli)); };
  });
}

}  // namespace postseal::signer
