// restart_keys.hpp - what a SIGHUP cannot change in `postseal verifier`: the keys it reads
// only at start (listen addresses and socket modes, threads, connection caps, the idle
// timeout, milter.timeout, [dns], [state], [spf], the user, greylist.enable), and the one
// warning a reload logs when the reread file changes some of them (the rest is applied).
// Every other key of the verifier is reloaded (verifier/verifier_command.cpp).
//
// Untrusted input: none (config files already loaded and checked, the command line).
#pragma once

#include "core/util/config.hpp"
#include "verifier/inbound_options.hpp"

#include <string>
#include <vector>

namespace postseal::verifier {

// restart_keys - the keys read only at start, less those the command line sets (editing them
// in the file changes nothing, now or after a restart). Every key must be declared; take them
// before build_service lays the file's [dns] over s.dns.
std::vector<std::string> restart_keys(const Settings& s);
// The warning itself is config::restart_note (core/util/config_changes.hpp).

}  // namespace postseal::verifier
