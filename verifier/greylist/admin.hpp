// admin.hpp - what `postseal greylist show|allow|forget|stats` does to the state store
// (cli/greylist_command.cpp is the command line around it).
//
// CLIENT is an IP address (keyed by its network as the daemon keys it: greylist.ipv4_prefix,
// ipv6_prefix) or "spf:DOMAIN" (a triplet keyed by its SPF domain, greylist.key_by_spf_domain);
// SENDER and RECIPIENT are normalised as the daemon normalises them (key.hpp), so an address
// copied from a log line finds its triplet. allow records the triplet as already passed
// (later deliveries are accepted without delay and without an X-Greylist header); forget
// removes it (the next delivery is greylisted anew). Untrusted input: the command-line
// arguments (checked) and the store's values (shown through printable()).
#pragma once

#include "core/state/store.hpp"
#include "verifier/greylist/greylister.hpp"

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace postseal::greylist {

// admin_triplet_key - the store key for the command-line CLIENT SENDER RECIPIENT, or why not.
std::expected<std::string, std::string> admin_triplet_key(std::string_view client, std::string_view sender,
                                                          std::string_view recipient, const KeyOptions& options);

// describe - one line on a stored triplet value at `now` ("waiting: 120 s left", "passed").
std::string describe(std::string_view value, const Options& options, std::int64_t now);

// show - the triplet's key, first and last seen and state, or "not recorded".
state::Result<std::string> show(state::Store& store, const std::string& key, const Options& options,
                                std::int64_t now);
// allow - record the triplet as passed at `now` (kept max_age).
state::Result<void> allow(state::Store& store, const std::string& key, const Options& options, std::int64_t now);
// forget - remove the triplet; true if it was there.
state::Result<bool> forget(state::Store& store, const std::string& key);
// stats - counts of triplets (waiting, passed) and client networks (auto-whitelisted).
state::Result<std::string> stats(state::Store& store, const Options& options, std::int64_t now);

}  // namespace postseal::greylist
