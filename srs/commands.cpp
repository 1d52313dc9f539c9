// commands.cpp - the srs folder's subcommands, each defined in its own <name>_command.cpp,
// and the [srs] config keys.
#include "srs/commands.hpp"

#include "core/util/config.hpp"
#include "srs/codec.hpp"

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

}  // namespace

void add_commands(CLI::App& app, Runner& run) {
  add_srs_command(app, run);
  add_srsd_command(app, run);
}

std::span<const config::Key> config_keys() { return kKeys; }

}  // namespace postseal::srs
