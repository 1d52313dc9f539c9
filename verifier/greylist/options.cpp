// options.cpp - [greylist] keys -> Settings (see options.hpp).
#include "verifier/greylist/options.hpp"

#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace postseal::greylist {
namespace {

constexpr config::Key kKeys[] = {
    {"greylist.enable", config::Type::boolean, "false", 0, 0,
     "greylist in `postseal verifier` and `postseal policy` (also --greylist): a new (client network, "
     "sender, recipient) triplet is deferred until it retries after greylist.delay"},
    {"greylist.delay", config::Type::integer, "300", 0, 86400,
     "seconds a new triplet must wait before a retry is accepted (postgrey --delay)"},
    {"greylist.retry_window", config::Type::integer, "172800", 60, 30 * 86400,
     "seconds after the first attempt in which a retry is accepted; later the triplet starts over"},
    {"greylist.max_age", config::Type::integer, "3024000", 3600, 3650 * 86400,
     "seconds an unused triplet or auto-whitelist entry is kept (postgrey --max-age, 35 days)"},
    {"greylist.auto_whitelist_clients", config::Type::integer, "5", 0, 1000000,
     "client networks that completed this many greylisted deliveries are not greylisted any more; 0: off"},
    {"greylist.ipv4_prefix", config::Type::integer, "24", 8, 32,
     "IPv4 clients are keyed by this network prefix; 32: the exact address"},
    {"greylist.ipv6_prefix", config::Type::integer, "64", 16, 128,
     "IPv6 clients are keyed by this network prefix; 128: the exact address"},
    {"greylist.key_by_spf_domain", config::Type::boolean, "false", 0, 0,
     "a sender whose MAIL FROM passed SPF is keyed by its domain instead of the client network "
     "(a provider's pool retrying from another address is not delayed again)"},
    {"greylist.whitelist_clients", config::Type::strings,
     "[\"/etc/postgrey/whitelist_clients\", \"/etc/postgrey/whitelist_clients.local\"]", 0, 0,
     "postgrey client whitelist files (host names, domains, IPs, CIDRs, /regex/); a missing file "
     "is an error when this key is set, except *.local"},
    {"greylist.whitelist_recipients", config::Type::strings,
     "[\"/etc/postgrey/whitelist_recipients\", \"/etc/postgrey/whitelist_recipients.local\"]", 0, 0,
     "postgrey recipient whitelist files (user@domain, user@, domain, /regex/)"},
    {"greylist.skip_networks", config::Type::strings, "[]", 0, 0,
     "client networks (CIDR, like mynetworks) never greylisted; localhost never is"},
    {"greylist.skip_spf_pass", config::Type::boolean, "false", 0, 0,
     "senders whose MAIL FROM passed SPF are not greylisted"},
    {"greylist.skip_authenticated", config::Type::boolean, "true", 0, 0,
     "SASL-authenticated clients (sasl_username set) are not greylisted"},
    {"greylist.defer_text", config::Type::string, "\"Greylisted, try again in %s seconds\"", 0, 0,
     "text of the 4.7.1 deferral; %s is replaced by the seconds left"},
    {"greylist.add_header", config::Type::boolean, "true", 0, 0,
     "prepend X-Greylist: delayed N seconds by postseal-VERSION at HOST; DATE to mail that was delayed"},
};

// whitelist_files - the key's files; when the key is in the config file each must exist
// (except *.local), else missing ones are skipped (postgrey's defaults).
std::vector<WhitelistFile> whitelist_files(const config::File& file, std::string_view key) {
  std::vector<WhitelistFile> out;
  const bool explicit_key = file.has(key);
  for (auto& path : file.strings(key))
    out.push_back(WhitelistFile{path, explicit_key && !path.ends_with(".local")});
  return out;
}

// where - "FILE, line N: KEY" for messages.
std::string where(const config::File& file, std::string_view key) {
  return fmt::format("{}: {}", file.where(key), key);
}

}  // namespace

std::expected<void, std::string> check_defer_text(std::string_view text) {
  if (text.empty()) return std::unexpected("is empty");
  if (text.size() > kMaxDeferTextOctets)
    return std::unexpected(fmt::format("is longer than {} octets", kMaxDeferTextOctets));
  if (printable(text, text.size()) != text) return std::unexpected("holds a control or non-ASCII character");
  int directives = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') continue;
    if (i + 1 >= text.size() || text[i + 1] != 's') return std::unexpected("holds a '%' that is not %s");
    ++directives;
    ++i;
  }
  if (directives > 1) return std::unexpected("holds %s more than once");
  return {};
}

Settings settings_from_config(const config::File& file, std::optional<bool> enable) {
  config::declare(kKeys);
  Settings s;
  s.enable = enable.value_or(file.boolean("greylist.enable"));
  auto& o = s.options;
  o.delay = file.integer("greylist.delay");
  o.retry_window = file.integer("greylist.retry_window");
  o.max_age = file.integer("greylist.max_age");
  if (o.retry_window <= o.delay)
    throw config_error(fmt::format("{}: retry_window {} must be longer than delay {}",
                                   where(file, "greylist.retry_window"), o.retry_window, o.delay));
  if (o.max_age < o.retry_window)
    throw config_error(fmt::format("{}: max_age {} must be at least retry_window {}",
                                   where(file, "greylist.max_age"), o.max_age, o.retry_window));
  o.auto_whitelist_clients = file.integer("greylist.auto_whitelist_clients");
  o.key.ipv4_prefix = static_cast<unsigned>(file.integer("greylist.ipv4_prefix"));
  o.key.ipv6_prefix = static_cast<unsigned>(file.integer("greylist.ipv6_prefix"));
  o.key.key_by_spf_domain = file.boolean("greylist.key_by_spf_domain");
  for (const auto& entry : file.strings("greylist.skip_networks"))
    if (auto added = o.skip.networks.add(entry); !added)
      throw config_error(fmt::format("{}: {}", where(file, "greylist.skip_networks"), added.error()));
  o.skip.spf_pass = file.boolean("greylist.skip_spf_pass");
  o.skip.authenticated = file.boolean("greylist.skip_authenticated");
  s.defer_text = file.string("greylist.defer_text");
  if (auto ok = check_defer_text(s.defer_text); !ok)
    throw config_error(fmt::format("{}: {}", where(file, "greylist.defer_text"), ok.error()));
  s.add_header = file.boolean("greylist.add_header");
  if (!s.enable) return s;
  auto clients = std::make_shared<ClientWhitelist>();
  clients->load(whitelist_files(file, "greylist.whitelist_clients"));
  o.clients = std::move(clients);
  auto recipients = std::make_shared<RecipientWhitelist>();
  recipients->load(whitelist_files(file, "greylist.whitelist_recipients"));
  o.recipients = std::move(recipients);
  return s;
}

std::span<const config::Key> config_keys() { return kKeys; }

}  // namespace postseal::greylist
