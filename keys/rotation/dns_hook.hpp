// dns_hook.hpp - what keys.dns_hook is asked to do after a tick, and running it.
//
// For each key still pending: "publish NAME VALUE" (the key record, RFC 6376 3.6.1), every
// tick until DNS shows it (a hook must be idempotent, as nsupdate's "update add" is); for each
// key revoked by this tick: "revoke NAME VALUE" with the empty p= record. The hook gets the
// action, name and value as argv[1..3] and in POSTSEAL_DNS_ACTION, POSTSEAL_DNS_NAME,
// POSTSEAL_DNS_VALUE. Untrusted input: none (validated records). Limits: run_command.hpp.
#pragma once

#include "keys/rotation/transitions.hpp"

#include <expected>
#include <string>
#include <vector>

namespace postseal::rotation {

struct HookCall {
  std::string action;  // "publish" or "revoke"
  std::string name;    // "s._domainkey.d"
  std::string value;   // TXT value
};

// hook_calls - the calls a tick's events ask for, in order.
std::vector<HookCall> hook_calls(const std::vector<Event>& events);
// run_dns_hook - run `hook` for one call.
std::expected<void, std::string> run_dns_hook(const std::string& hook, const HookCall& call);

}  // namespace postseal::rotation
