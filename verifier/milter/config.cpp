// config.cpp - the milter.* configuration keys and smf-spf's options from them (docs/compat.md, seed 003:
// RefuseFail, TagSubject/Tag, AddHeader, Quarantine/QuarantineMailbox, WhitelistIP/PTR/From/To)
// and the unix socket's mode and group (checked by core/net/unix_socket.hpp).
// Untrusted input: the config file; a bad value is an error naming the key. Limits: the tag
// 1-kMaxTagOctets printable octets, whitelist_from/to entries kMaxAddressEntryOctets, the
// socket mode octal 0-0777, the group net::kMaxGroupOctets.
#include "core/util/config.hpp"
#include "core/util/text.hpp"
#include "verifier/decision/options.hpp"
#include "verifier/milter/milter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace postseal::milter {

namespace {

const config::Key kKeys[] = {
    {"milter.listen", config::Type::string, "\"\"", 0, 0,
     "milter socket of `postseal verifier` (127.0.0.1:10041, inet:10041@127.0.0.1, unix:/path); empty: off"},
    {"milter.refuse_fail", config::Type::boolean, "true", 0, 0,
     "reject at RCPT (550 5.7.23) what the SPF policy rejects; false: accept and tag"},
    {"milter.tag_subject", config::Type::boolean, "true", 0, 0,
     "prefix the Subject of accepted SPF fail and softfail mail with the tag"},
    {"milter.tag", config::Type::string, "\"[SPF:fail]\"", 0, 0, "the Subject tag (1-64 printable octets)"},
    {"milter.add_header", config::Type::boolean, "true", 0, 0, "add a Received-SPF field"},
    {"milter.quarantine_mailbox", config::Type::string, "\"\"", 0, 0,
     "deliver accepted SPF fail and softfail mail to this mailbox instead of its recipients "
     "(whitelist_to recipients keep theirs); empty: off"},
    {"milter.whitelist_ip", config::Type::strings, "[]", 0, 0, "client networks (CIDR) not SPF-checked"},
    {"milter.whitelist_ptr", config::Type::strings, "[]", 0, 0,
     "client host names not checked: \"host.example\" (and subdomains), \".example\" (subdomains)"},
    {"milter.whitelist_from", config::Type::strings, "[]", 0, 0,
     "envelope senders not checked: \"user@domain\", \"user@\", \"@domain\", \"domain\" (and subdomains)"},
    {"milter.whitelist_to", config::Type::strings, "[]", 0, 0,
     "envelope recipients never refused nor quarantined (same forms as whitelist_from)"},
    {"milter.timeout", config::Type::integer, "300", 1, kMaxTimeoutSeconds, "seconds the milter waits on the MTA for each read and write"},
    {"milter.max_connections", config::Type::integer, "512", 1, kMaxMaxConnections,
     "MTA connections served at once; more are tempfailed (keep >= Postfix's smtpd process limit)"},
    {"milter.socket_mode", config::Type::string, "\"0660\"", 0, 0,
     "mode of a unix milter socket (octal, e.g. \"0660\")"},
    {"milter.socket_group", config::Type::string, "\"postfix\"", 0, 0,
     "group of a unix milter socket; empty: the owner's group"},
    {"milter.mode", config::Type::string, "\"verify\"", 0, 0,
     "verify (inbound checks), sign (sign internal mail, pass the rest) or sign+verify "
     "(OpenDKIM's Mode sv: sign internal mail, verify the rest); signing uses [[signer.domain]]"},
    {"milter.internal_hosts", config::Type::strings, "[\"127.0.0.0/8\", \"::1\"]", 0, 0,
     "client networks (CIDR) whose mail is signed, not verified (OpenDKIM's InternalHosts)"},
    {"milter.sign_daemons", config::Type::strings, "[\"ORIGINATING\"]", 0, 0,
     "Postfix {daemon_name} values (master.cf -o milter_macro_daemon_name=) whose mail is signed"},
};

// check_address_entry - one whitelist_from / whitelist_to entry: printable, no spaces, not
// longer than an address, at most one '@' (see address_listed for the forms).
std::expected<void, std::string> check_address_entry(const std::string& item) {
  if (item.empty() || item.size() > kMaxAddressEntryOctets || item != postseal::printable(item) ||
      item.find_first_of(" \t<>,") != std::string::npos || item == "@" ||
      std::count(item.begin(), item.end(), '@') > 1)
    return std::unexpected(fmt::format("'{}' is not user@domain, user@, @domain or domain", postseal::printable(item, 80)));
  return {};
}
}  // namespace

std::span<const config::Key> config_keys() { return kKeys; }

std::expected<SocketOptions, std::string> socket_options_from_config(const config::File& f) {
  return net::socket_options_from_config(f, "milter.socket_mode", "milter.socket_group");
}

std::expected<Policy, std::string> policy_from_config(const config::File& f, const PolicyOverrides& o) {
  auto strings = [&f](const std::optional<std::vector<std::string>>& cli, std::string_view key) {
    return cli ? *cli : f.strings(key);
  };
  Policy p;
  p.refuse_fail = o.refuse_fail.value_or(f.boolean("milter.refuse_fail"));
  p.tag_subject = o.tag_subject.value_or(f.boolean("milter.tag_subject"));
  p.tag = o.tag.value_or(f.string("milter.tag"));
  if (p.tag.empty() || p.tag.size() > kMaxTagOctets || p.tag != postseal::printable(p.tag))
    return std::unexpected(fmt::format("milter.tag: 1-{} printable octets", kMaxTagOctets));
  p.add_header = o.add_header.value_or(f.boolean("milter.add_header"));
  p.quarantine = o.quarantine_mailbox.value_or(f.string("milter.quarantine_mailbox"));
  if (!p.quarantine.empty() && (p.quarantine.find('@') == std::string::npos || p.quarantine.size() > kMaxAddressEntryOctets ||
                               p.quarantine.find_first_of(" \t<>,") != std::string::npos ||
                               p.quarantine != postseal::printable(p.quarantine)))
    return std::unexpected("milter.quarantine_mailbox: not an address");
  for (const auto& item : strings(o.whitelist_ip, "milter.whitelist_ip"))
    if (auto ok = p.whitelist_ip.add(item); !ok) return std::unexpected("milter.whitelist_ip: " + ok.error());
  for (const auto& item : strings(o.whitelist_ptr, "milter.whitelist_ptr")) {
    auto d = decision::parse_domain_list(item);
    if (!d) return std::unexpected("milter.whitelist_ptr: " + d.error());
    p.whitelist_ptr.insert(p.whitelist_ptr.end(), d->begin(), d->end());
  }
  for (auto key : {"milter.whitelist_from", "milter.whitelist_to"}) {
    bool from = std::string_view(key) == "milter.whitelist_from";
    auto& list = from ? p.whitelist_from : p.whitelist_to;
    for (const auto& item : strings(from ? o.whitelist_from : o.whitelist_to, key)) {
      if (auto ok = check_address_entry(item); !ok) return std::unexpected(fmt::format("{}: {}", key, ok.error()));
      list.push_back(item);
    }
  }
  return p;
}

}  // namespace postseal::milter
