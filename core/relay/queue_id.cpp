// queue_id.cpp - Postfix's queue id from the first Received field, for log lines.
#include "core/relay/message_step.hpp"

#include "core/smtp/command.hpp"

namespace postseal::relay {

std::string received_queue_id(const std::vector<mail::HeaderField>& headers) {
  for (const auto& f : headers) {
    if (!f.is("Received")) continue;
    std::string_view v = f.value();
    auto pos = v.find(" id ");
    if (pos == std::string_view::npos) return {};
    v.remove_prefix(pos + 4);
    std::string_view id = v.substr(0, v.find_first_of(";\r\n \t"));
    return smtp::is_queue_id(id) ? std::string(id) : std::string{};
  }
  return {};
}

}  // namespace postseal::relay
