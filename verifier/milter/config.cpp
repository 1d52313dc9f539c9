// config.cpp - the milter.* configuration keys and smf-spf's options from them (seed 003:
// RefuseFail, TagSubject/Tag, AddHeader, Quarantine/QuarantineMailbox, WhitelistIP/PTR/From/To).
// Untrusted input: the config file; a bad value is an error naming the key.
#include "core/util/config.hpp"
#include "core/util/text.hpp"
#include "verifier/decision/options.hpp"
#include "verifier/milter/milter.hpp"

#include <fmt/format.h>

namespace postseal::milter {

namespace {
const config::Key kKeys[] = {
    {"milter.listen", config::Type::string, "\"\"", 0, 0,
     "milter socket of `postseal verifier` (127.0.0.1:10041, inet:10041@127.0.0.1, unix:/path); empty: off"},
    {"milter.refuse_fail", config::Type::boolean, "true", 0, 0,
     "reject at RCPT (550 5.7.23) what the SPF policy rejects; false: accept and tag"},
    {"milter.tag_subject", config::Type::boolean, "true", 0, 0, "prefix the Subject of accepted SPF-fail mail"},
    {"milter.tag", config::Type::string, "\"[SPF:fail]\"", 0, 0, "the Subject tag (at most 64 octets)"},
    {"milter.add_header", config::Type::boolean, "true", 0, 0, "add a Received-SPF field"},
    {"milter.quarantine_mailbox", config::Type::string, "\"\"", 0, 0,
     "deliver accepted SPF-fail mail to this mailbox instead of its recipients; empty: off"},
    {"milter.whitelist_ip", config::Type::strings, "[]", 0, 0, "client networks (CIDR) not SPF-checked"},
    {"milter.whitelist_ptr", config::Type::strings, "[]", 0, 0, "client host names (and subdomains) not checked"},
    {"milter.whitelist_from", config::Type::strings, "[]", 0, 0, "envelope senders (address or domain) not checked"},
    {"milter.whitelist_to", config::Type::strings, "[]", 0, 0, "envelope recipients (address or domain) never refused"},
    {"milter.timeout", config::Type::integer, "300", 1, kMaxTimeoutSeconds, "seconds libmilter waits on the MTA"},
};
}  // namespace

std::span<const config::Key> config_keys() { return kKeys; }

std::expected<Policy, std::string> policy_from_config(const config::File& f) {
  Policy p;
  p.refuse_fail = f.boolean("milter.refuse_fail");
  p.tag_subject = f.boolean("milter.tag_subject");
  p.tag = f.string("milter.tag");
  if (p.tag.size() > kMaxTagOctets || p.tag != postseal::printable(p.tag))
    return std::unexpected(fmt::format("milter.tag: at most {} printable octets", kMaxTagOctets));
  p.add_header = f.boolean("milter.add_header");
  p.quarantine = f.string("milter.quarantine_mailbox");
  if (!p.quarantine.empty() && (p.quarantine.find('@') == std::string::npos || p.quarantine != postseal::printable(p.quarantine)))
    return std::unexpected("milter.quarantine_mailbox: not an address");
  for (const auto& item : f.strings("milter.whitelist_ip"))
    if (auto ok = p.whitelist_ip.add(item); !ok) return std::unexpected("milter.whitelist_ip: " + ok.error());
  for (const auto& item : f.strings("milter.whitelist_ptr")) {
    auto d = decision::parse_domain_list(item);
    if (!d) return std::unexpected("milter.whitelist_ptr: " + d.error());
    p.whitelist_ptr.insert(p.whitelist_ptr.end(), d->begin(), d->end());
  }
  p.whitelist_from = f.strings("milter.whitelist_from");
  p.whitelist_to = f.strings("milter.whitelist_to");
  return p;
}

}  // namespace postseal::milter
