// dk_config.hpp - the DomainKeys config keys (documented in conf/postseal.d/domainkeys.toml).
//
// Per signing domain ([[signer.domain]]): domainkeys (opt in), domainkeys_canon ("nofws" or
// "simple"), domainkeys_headers (emit h=). Untrusted input: the config file (local); a bad canon
// value is a start-up error naming the key.
#pragma once

#include "core/domainkeys/dk_signer.hpp"
#include "core/util/config.hpp"

#include <optional>
#include <span>

namespace postseal::domainkeys {

// config_keys - the keys above, for config::declare().
std::span<const config::Key> config_keys();

// sign_options_from_table - a [[signer.domain]] table -> DkSignOptions when domainkeys = true,
// nullopt when the domain does not opt in. Throws config_error (exit 78) on a bad domainkeys_canon.
std::optional<DkSignOptions> sign_options_from_table(const toml::table& domain_table);

}  // namespace postseal::domainkeys
