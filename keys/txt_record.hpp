// txt_record.hpp - the DKIM key record to publish (RFC 6376 3.6.1, 3.6.2.2; RFC 8463 4).
//
// Renders "SELECTOR._domainkey.DOMAIN. IN TXT ( "v=DKIM1; k=rsa; " "p=..." )" with every
// quoted string at most kMaxTxtStringOctets (RFC 1035 3.3.14: a character-string is one
// length octet + data), so a 2048-, 4096- or 8192-bit key pastes into any DNS provider, and
// the same record as JSON for automation. Inputs are validated names (keys/names.hpp) and
// base64, so nothing needs quoting; the JSON writer escapes anyway.
#pragma once

#include "core/crypto/private_key.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::keys {

inline constexpr std::size_t kMaxTxtStringOctets = 255;

// KeyRecord - name (no trailing dot) and value of the TXT record.
struct KeyRecord {
  std::string name;   // "s2026._domainkey.example.com"
  std::string value;  // "v=DKIM1; k=rsa; p=..."
};

KeyRecord make_key_record(std::string_view domain, std::string_view selector, const crypto::PrivateKey& key);
// txt_strings - the value cut into quoted-string pieces of at most kMaxTxtStringOctets.
std::vector<std::string> txt_strings(const KeyRecord& record);
// zone_line - the master-file line, ending in "\n".
std::string zone_line(const KeyRecord& record);
// json - {"name":..,"type":"TXT","value":..} ending in "\n".
std::string json(const KeyRecord& record);

}  // namespace postseal::keys
