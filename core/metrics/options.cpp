// options.cpp - the [metrics] key (see options.hpp).
#include "core/metrics/options.hpp"

#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/text.hpp"

#include <asio/ip/address.hpp>
#include <fmt/format.h>

#include <charconv>
#include <string_view>

namespace postseal::metrics {
namespace {

constexpr config::Key kKeys[] = {
    {"metrics.listen", config::Type::string, "\"\"", 0, 0,
     "ADDRESS:PORT to serve Prometheus metrics on (/metrics); empty: no metrics"},
};

// kMaxPort - the highest port metrics.listen may name: the srsd's is two above it.
constexpr unsigned kMaxPort = 65535 - kMaxPortOffset;

// port_of - the decimal port 1-kMaxPort, else 0.
unsigned port_of(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const bool ok = !text.empty() && ec == std::errc() && end == text.data() + text.size() && value >= 1 && value <= kMaxPort;
  return ok ? value : 0;
}

}  // namespace

std::string check_listen(const std::string& text) {
  if (text.empty()) return {};
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || port_of(std::string_view(text).substr(colon + 1)) == 0)
    return fmt::format("metrics.listen '{}': want ADDRESS:PORT, e.g. 127.0.0.1:9151 (port 1-{})",
                       printable(text, 100), kMaxPort);
  std::string host = text.substr(0, colon);
  const bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  std::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec || address.is_v6() != bracketed)
    return fmt::format("metrics.listen '{}': the address must be an IPv4 literal or [IPv6] (e.g. 127.0.0.1:9151, "
                       "[::1]:9151)", printable(text, 100));
  return {};
}

std::string daemon_listen(const std::string& listen, Daemon daemon) {
  if (listen.empty()) return listen;
  const auto colon = listen.rfind(':');
  const unsigned port = port_of(std::string_view(listen).substr(colon + 1)) + static_cast<unsigned>(daemon);
  return fmt::format("{}:{}", listen.substr(0, colon), port);
}

Options load_options(const config::File& file, Daemon daemon) {
  config::declare(kKeys);
  const std::string listen = file.string("metrics.listen");
  if (auto problem = check_listen(listen); !problem.empty()) throw config_error(config::located(file, problem));
  return Options{daemon_listen(listen, daemon)};
}

std::vector<std::string> check_config(const config::File& file) {
  config::declare(kKeys);
  if (auto problem = check_listen(file.string("metrics.listen")); !problem.empty()) return {problem};
  return {};
}

std::span<const config::Key> config_keys() { return kKeys; }

}  // namespace postseal::metrics
