// active_keys.hpp - which rotated key signs a domain's mail: the one rule the signer applies
// at start and on SIGHUP (signer/filter/rotated_keys.cpp) and `postseal keys status` shows.
//
// Per domain and algorithm, the active record (transitions.hpp made it active only after its
// record was seen in DNS and publish_lead passed); when the store holds several (two hosts
// racing), the newest `since`, then the greater selector, so
// every host picks the same. Pending, published, retiring and revoked keys never sign.
#pragma once

#include "keys/rotation/record.hpp"

#include <vector>

namespace postseal::rotation {

// active_keys - at most one record per (domain, algorithm), in the order of `records`.
std::vector<Record> active_keys(const std::vector<Record>& records);

}  // namespace postseal::rotation
