// whitelist.hpp - postgrey's whitelist files, read as they are (docs/compat.md: postgrey
// 1.37's /etc/postgrey/whitelist_clients and whitelist_recipients), and postseal's own skip
// rules (mynetworks-style CIDRs, authenticated clients, SPF pass, DMARC pass).
//
// Client file, one entry a line ('#' starts a comment, blank lines ignored):
//   host.example.com    the client name or any name under it (suffix match on labels)
//   /regex/             a regular expression searched in the client name, ignoring case
//   192.0.2.7, 192.0.2.0/24, 2001:db8::/32   an address or network (IPv4 and IPv6)
//   192.0.2 (a /24), 192.0 (a /16)           partial IPv4 addresses
// Recipient file: user@domain (also user+extension@domain), user@ (any domain), domain (the
// domain and every subdomain), /regex/.
// A line that is none of these (a space inside an entry, an address that does not parse, a
// regular expression std::regex refuses) is a start-up error naming FILE:LINE; postgrey only
// warns and goes on. Untrusted input at start-up: the files (local admin). At run time: the
// client name and the recipient, cut to kMaxMatchOctets before a regular expression sees
// them. Limits: kMaxWhitelistFileOctets per file, kMaxWhitelistEntries per list.
#pragma once

#include "core/net/address_list.hpp"

#include <asio/ip/address.hpp>

#include <cstddef>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::greylist {

// kMaxWhitelistFileOctets - a whitelist file larger than this is refused.
inline constexpr std::size_t kMaxWhitelistFileOctets = 4 * 1024 * 1024;
// kMaxWhitelistEntries - entries of all files of one list.
inline constexpr std::size_t kMaxWhitelistEntries = 100000;
// kMaxMatchOctets - client names and recipients are cut to this before matching.
inline constexpr std::size_t kMaxMatchOctets = 320;

// WhitelistFile - one configured file; `required`: a missing file is an error (an explicitly
// configured one), else it is skipped (postgrey's defaults, the .local file).
struct WhitelistFile {
  std::string path;
  bool required = true;
};

// ClientWhitelist - names, patterns and networks of the whitelist_clients files.
class ClientWhitelist {
 public:
  // add_line - one line of `source` (for messages: "FILE:LINE"); throws StartupError.
  void add_line(std::string_view line, std::string_view source);
  // load - every file in order; throws StartupError (exit 78) naming FILE:LINE or the file.
  void load(const std::vector<WhitelistFile>& files);
  // matches - the client (its validated name, "unknown" or empty, and address) is listed.
  bool matches(std::string_view client_name, const asio::ip::address& ip) const;
  std::size_t size() const { return names_.size() + patterns_.size() + networks_.size(); }

 private:
  std::vector<std::string> names_;  // lower case; match the name or a name below it
  std::vector<std::regex> patterns_;
  std::vector<net::Cidr> networks_;
};

// RecipientWhitelist - entries of the whitelist_recipients files.
class RecipientWhitelist {
 public:
  void add_line(std::string_view line, std::string_view source);
  void load(const std::vector<WhitelistFile>& files);
  bool matches(std::string_view recipient) const;
  std::size_t size() const { return entries_.size() + patterns_.size(); }

 private:
  // Entry - user@domain (both set), user@ (domain empty, any_domain), or domain (user empty).
  struct Entry {
    std::string user;
    std::string domain;
    bool any_domain = false;
  };
  std::vector<Entry> entries_;
  std::vector<std::regex> patterns_;
};

// SkipRules - what is not greylisted before any store look-up.
struct SkipRules {
  net::AddressList networks;       // greylist.skip_networks (mynetworks)
  bool authenticated = true;       // greylist.skip_authenticated: sasl_username set
  bool spf_pass = false;           // greylist.skip_spf_pass: MAIL FROM SPF pass
  bool dmarc_pass = false;         // DMARC pass (hook: set by a front end that evaluates DMARC)
};

}  // namespace postseal::greylist
