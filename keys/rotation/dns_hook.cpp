// dns_hook.cpp - keys.dns_hook calls (see dns_hook.hpp).
#include "keys/rotation/dns_hook.hpp"

#include "keys/rotation/next_action.hpp"
#include "keys/rotation/run_command.hpp"

namespace postseal::rotation {

std::vector<HookCall> hook_calls(const std::vector<Event>& events) {
  std::vector<HookCall> calls;
  for (const auto& e : events) {
    const bool pending = e.record.state == State::pending && !e.record.txt.empty();
    if (pending && (e.change == Change::waiting || e.change == Change::withdrawn))
      calls.push_back(HookCall{"publish", record_name(e.record), e.record.txt});
    else if (e.change == Change::revoked)
      calls.push_back(HookCall{"revoke", record_name(e.record), revoked_value(e.record)});
  }
  return calls;
}

std::expected<void, std::string> run_dns_hook(const std::string& hook, const HookCall& call) {
  return run_command({hook, call.action, call.name, call.value}, {{"POSTSEAL_DNS_ACTION", call.action},
                                                                  {"POSTSEAL_DNS_NAME", call.name},
                                                                  {"POSTSEAL_DNS_VALUE", call.value}});
}

}  // namespace postseal::rotation
