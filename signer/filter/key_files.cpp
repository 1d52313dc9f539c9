// key_files.cpp - load a signing row's keys (see key_files.hpp).
#include "signer/filter/key_files.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace postseal::signer {

std::vector<dkim::SignerKey> load_keys(const std::string& domain,
                                       const std::vector<std::string>& entries,
                                       const std::string& row, Problems& found) {
  std::vector<dkim::SignerKey> out;
  for (const auto& e : entries) {
    auto colon = e.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == e.size()) {
      found.errors += fmt::format("\n{}: key '{}' must be SELECTOR:KEYFILE", row, e);
      continue;
    }
    auto key = crypto::PrivateKey::load(e.substr(colon + 1));
    if (!key) {
      found.errors += "\n" + key.error();
      continue;
    }
    auto w = crypto::size_warning(**key, e.substr(colon + 1));
    if (w && std::find(found.warnings.begin(), found.warnings.end(), *w) == found.warnings.end())
      found.warnings.push_back(*w);  // once per file, however many rows use it
    out.push_back(dkim::SignerKey{domain, e.substr(0, colon), *key, e.substr(colon + 1)});
  }
  return out;
}

}  // namespace postseal::signer
