// key_names.hpp - validate the domain and selector that go into a DKIM key record's owner name.
//
// RFC 6376 3.1 (selector = sub-domain *("." sub-domain)), RFC 5321 4.1.2 (sub-domain =
// Let-dig [Ldh-str]), RFC 1035 2.3.4 (labels <= kMaxLabelOctets, names <= kMaxDomainOctets).
// Untrusted input: command-line and config values that end up in a zone-file line and in
// d=/s= tags; anything outside letters, digits, '-' and '.' is refused, so nothing can break
// the zone line or the header.
#pragma once

#include "core/util/hostname.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace postseal::dkim {

// check_domain / check_selector - nullopt when valid, else what is wrong (for a message).
std::optional<std::string> check_domain(std::string_view domain);
std::optional<std::string> check_selector(std::string_view selector);

}  // namespace postseal::dkim
