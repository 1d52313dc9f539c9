// nodelay.cpp - TCP_NODELAY on the milter's accepted sockets (see milter.hpp for why a scan).
//
// libmilter opens, accepts and owns its sockets and offers no hook for socket options, so on
// each new MTA connection we look at this process's descriptors (at most kMaxScannedFds) and
// set TCP_NODELAY on every connected TCP socket whose local port is the milter port. Setting
// it twice, or on a socket that another thread just opened on that port, is harmless.
// Untrusted input: none (our own descriptors).
#include "verifier/milter/milter.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>

namespace postseal::milter {

// kMaxScannedFds - descriptors looked at per connection.
inline constexpr int kMaxScannedFds = 4096;

static bool on_port(int fd, unsigned short port) {
  int type = 0, listening = 0;
  socklen_t len = sizeof type;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) return false;
  len = sizeof listening;
  if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || listening != 0) return false;
  sockaddr_storage ss{};
  len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return false;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port) == port;
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port) == port;
  return false;
}

int set_nodelay_on_port(unsigned short port) {
  rlimit rl{};
  int limit = kMaxScannedFds;
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < static_cast<rlim_t>(limit))
    limit = static_cast<int>(rl.rlim_cur);
  int set = 0;
  for (int fd = 3; fd < limit; ++fd) {
    if (!on_port(fd, port)) continue;
    int one = 1;
    if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0) ++set;
  }
  return set;
}

}  // namespace postseal::milter
