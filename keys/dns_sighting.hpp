// dns_sighting.hpp - the rotation's Lookup (keys/rotation/transitions.hpp) over DNS: load the
// record's key file and compare what SELECTOR._domainkey.DOMAIN holds with it, as
// `postseal dns-check` does (keys/dns_check.hpp, RFC 6376 3.6.1, 3.6.2.2).
// Untrusted input: DNS answers (compare_record); the key file (crypto::PrivateKey::load's
// checks). Limits: the resolver's timeout per lookup.
#pragma once

#include "core/dns/resolver.hpp"
#include "keys/rotation/transitions.hpp"

#include <asio/io_context.hpp>

namespace postseal::keys {

// dns_lookup - a Lookup that runs each query on `io` (not running) to the end; `resolver`
// and `io` must outlive it.
rotation::Lookup dns_lookup(asio::io_context& io, dns::Resolver& resolver);

}  // namespace postseal::keys
