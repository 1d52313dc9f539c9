// values.hpp - list values checked the way the daemons check them before they are written, so
// one bad entry in a source file is reported (FILE:LINE) instead of making the whole output
// fail check-config: networks as core/net/address_list.hpp reads them, domain names as the
// verifier's whitelists read them (verifier/decision/options.hpp).
#pragma once

#include "import/output.hpp"

#include <string>
#include <vector>

namespace postseal::migrate {

// networks - the items that are CIDR networks or addresses; a note for each other one.
std::vector<std::string> networks(Result& r, const std::string& at,
                                  const std::vector<std::string>& items);
// domains - the items that are domain names; a note for each other one.
std::vector<std::string> domains(Result& r, const std::string& at,
                                 const std::vector<std::string>& items);

}  // namespace postseal::migrate
