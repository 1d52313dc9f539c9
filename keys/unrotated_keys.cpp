// unrotated_keys.cpp - list [[signer.sender]] keys (see unrotated_keys.hpp).
#include "keys/unrotated_keys.hpp"

#include "core/util/config.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace postseal::keys {

std::vector<UnrotatedKey> unrotated_keys(const config::File& file, std::string_view domain) {
  std::vector<UnrotatedKey> out;
  for (const toml::table* t : file.tables("signer.sender")) {
    const std::string address = config::table_string(*t, "address", "signer.sender[].address");
    std::string d = to_lower(config::table_string(*t, "domain", "signer.sender[].domain"));
    if (d.empty() && address.find('@') != std::string::npos)
      d = to_lower(address.substr(address.rfind('@') + 1));
    if (!domain.empty() && d != domain) continue;
    for (const auto& entry : config::table_strings(*t, "keys", "signer.sender[].keys")) {
      const auto colon = entry.find(':');
      if (colon == std::string::npos) continue;  // check-config reports it
      out.push_back({address, d, entry.substr(0, colon), entry.substr(colon + 1)});
    }
  }
  return out;
}

std::string status_line(const UnrotatedKey& k) {
  return fmt::format(
      "{} {} {}: not rotated: a [[signer.sender]] key signs as configured ({}); replace it by hand",
      printable(k.address, 254), k.d, k.selector, k.file);
}

}  // namespace postseal::keys
