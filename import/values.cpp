// values.cpp - list values checked before they are written (see values.hpp).
#include "import/values.hpp"

#include "core/net/address_list.hpp"
#include "verifier/decision/options.hpp"

namespace postseal::migrate {

std::vector<std::string> networks(Result& r, const std::string& at,
                                  const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    net::AddressList probe;
    if (auto ok = probe.add(item); ok) out.push_back(item);
    else r.note(at, item, "not a network or address: " + ok.error());
  }
  return out;
}

std::vector<std::string> domains(Result& r, const std::string& at,
                                 const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    if (auto ok = decision::parse_domain_list(item); ok) out.push_back(item);
    else r.note(at, item, "not a domain name: " + ok.error());
  }
  return out;
}

}  // namespace postseal::migrate
