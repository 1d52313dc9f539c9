// nodelay.cpp - TCP_NODELAY on the milter's sockets (see milter.hpp for why).
//
// libmilter opens, accepts and owns its sockets and offers no hook for socket options. On
// Linux an accepted TCP socket inherits TCP_NODELAY from its listening socket, so after
// smfi_opensocket() we set it once on the listening socket of the milter port, found by one
// walk over /proc/self/fd (every open descriptor, whatever its number) at start-up; nothing
// is done per connection. Untrusted input: none (our own descriptors).
#include "verifier/milter/milter.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <charconv>
#include <filesystem>
#include <system_error>

namespace postseal::milter {

// listening_on - whether fd is a listening TCP socket on local `port`.
static bool listening_on(int fd, unsigned short port) {
  int type = 0, listening = 0;
  socklen_t len = sizeof type;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) return false;
  len = sizeof listening;
  if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || listening == 0) return false;
  sockaddr_storage ss{};
  len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return false;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port) == port;
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port) == port;
  return false;
}

int set_nodelay_on_listener(unsigned short port) {
  int set = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    auto name = entry.path().filename().string();
    int fd = -1;
    auto [end, err] = std::from_chars(name.data(), name.data() + name.size(), fd);
    if (err != std::errc{} || end != name.data() + name.size() || !listening_on(fd, port)) continue;
    int one = 1;
    if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0) ++set;
  }
  return set;
}

}  // namespace postseal::milter
