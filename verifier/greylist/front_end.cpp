// front_end.cpp - the request and log line both front ends share (see front_end.hpp).
#include "verifier/greylist/front_end.hpp"

#include "core/util/log.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace postseal::greylist {

std::string_view spf_pass_domain(const decision::Decision& d, std::string_view sender) {
  if (!d.mail_from.checked || d.mail_from.outcome.result != spf::SpfResult::pass) return {};
  auto at = sender.rfind('@');
  return at == std::string_view::npos ? std::string_view() : sender.substr(at + 1);
}

std::string describe(const Outcome& o) {
  if (o.action == Action::pass) return fmt::format("greylist pass, delayed {} s ({})", o.seconds, o.reason);
  if (o.action == Action::defer) return fmt::format("greylist defer, {} s left ({})", o.seconds, o.reason);
  return {};
}

void log_outcome(std::string_view queue_id, const Request& r, const Outcome& o,
                 std::string_view answer) {
  const std::string what = describe(o);
  if (what.empty()) return;
  log::info("{}: {}; client={}[{}] from=<{}> to=<{}>: {}",
            queue_id.empty() ? "NOQUEUE" : queue_id, what, printable(r.client_name, 100),
            r.client_address.to_string(), printable(r.sender, kMaxLoggedAddressOctets),
            printable(r.recipient, kMaxLoggedAddressOctets), printable(answer, 300));
}

}  // namespace postseal::greylist
