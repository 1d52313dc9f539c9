// public_suffix.hpp - the Organizational Domain by the Public Suffix List (RFC 7489 3.2).
//
// The "psl" discovery mode (dmarc.discovery = "psl") for receivers that must match RFC 7489
// behaviour: the Organizational Domain of a name is its registrable domain, the public suffix
// plus one label (RFC 7489 3.2 steps 1-5), from Debian's publicsuffix package read with
// libpsl (ICANN and private sections, as publicsuffix.org publishes them). A name that is
// itself a public suffix is its own Organizational Domain. Untrusted input: domain names from
// messages (already lower-cased and checked by the caller); the list file is local data,
// a missing or unreadable file is a start-up error of the caller.
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <string_view>

struct psl_ctx_st;

namespace postseal::dmarc {

// kDebianPublicSuffixList - where Debian's publicsuffix package installs the list.
inline constexpr std::string_view kDebianPublicSuffixList =
    "/usr/share/publicsuffix/public_suffix_list.dat";

// PublicSuffixList - a loaded list; immutable, safe to share between threads.
class PublicSuffixList {
 public:
  // load - read the list at `path`; the error names the file.
  static std::expected<PublicSuffixList, std::string> load(std::string_view path);
  // organizational_domain - RFC 7489 3.2: the registrable domain of `domain`, else `domain`.
  std::string organizational_domain(std::string_view domain) const;

 private:
  std::shared_ptr<const psl_ctx_st> ctx_;
};

}  // namespace postseal::dmarc
