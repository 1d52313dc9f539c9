// restart_keys.cpp - the verifier's keys that need a restart (see restart_keys.hpp).
#include "verifier/restart_keys.hpp"


namespace postseal::verifier {

std::vector<std::string> restart_keys(const Settings& s) {
  std::vector<std::string> keys{
      "verifier.policy_socket_mode", "verifier.policy_socket_group", "verifier.threads",
      "verifier.max_connections", "verifier.idle_timeout", "milter.socket_mode",
      "milter.socket_group", "milter.timeout", "milter.max_connections", "proxy.max_connections",
      // counting for DMARC reports holds the state store
      "dmarc.report_record", "dmarc.report_max_rows", "dmarc.report_max_domains",
      // failure reports: one sender thread, its store and queue
      "dmarc.failure_reports", "dmarc.failure_report_redact", "dmarc.failure_report_redact_key",
      "dmarc.failure_report_rate", "dmarc.failure_report_global_rate", "dmarc.failure_report_queue",
      "dmarc.report_email", "dmarc.report_bounce_address", "dmarc.report_sendmail", "dmarc.report_sendmail_timeout",
      "metrics.listen"};
  auto unless = [&keys](bool set_on_command_line, std::string key) {
    if (!set_on_command_line) keys.push_back(std::move(key));
  };
  unless(!s.listen.empty(), "verifier.policy_listen");
  unless(s.user.has_value(), "verifier.user");
  unless(s.milter.has_value(), "milter.listen");
  unless(s.proxy, "proxy.enable");
  unless(!s.proxy_listen.empty(), "proxy.listen");
  unless(s.greylist, "greylist.enable");
  const bool dns_server_given = !s.dns.server.empty() || !s.dns.zone_file.empty();
  for (const auto& key : config::declared()) {
    if (key.path == "dns.server" && dns_server_given) continue;
    if (key.path.starts_with("dns.") || key.path.starts_with("state.") ||
        key.path.starts_with("spf."))
      keys.emplace_back(key.path);
  }
  return keys;
}

}  // namespace postseal::verifier
