// key_age.hpp - postseal_key_age_seconds{domain,selector}: how old each signing key in use is,
// from its key file's modification time (a rotated key's file is written once, when `postseal
// keys rotate` makes it), computed at each scrape.
//
// Untrusted input: none (the signing table's domains, selectors and key paths come from the
// config file or the rotation state, both the administrator's). Limits: one series per key of
// the current signing table; set_key_files() replaces the list (start and each reload), so a
// retired key's series disappears with it. A file that cannot be stat()ed is left out.
#pragma once

#include <prometheus/collectable.h>

#include <memory>
#include <string>
#include <vector>

namespace postseal::metrics {

struct KeyFile {
  std::string domain, selector, path;
};

// set_key_files - the keys the signer (or the signing milter) signs with now.
void set_key_files(const std::vector<KeyFile>& keys);

// key_age_collectable - the collectable the exposer serves beside the registry.
std::shared_ptr<prometheus::Collectable> key_age_collectable();

}  // namespace postseal::metrics
