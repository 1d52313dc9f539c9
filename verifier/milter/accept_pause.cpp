// accept_pause.cpp - no busy loop in libmilter's listener when descriptors run out.
//
// libmilter's listener thread polls its socket and calls accept(); out of descriptors or
// memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) the pending connection stays in the backlog, poll
// reports it again at once, and the thread spins on one core without a word (its syslog line
// needs a descriptor too). libmilter offers no hook there, so this program defines accept()
// itself (the dynamic linker binds libmilter's call to it): it accepts as the C library does,
// and on one of those errors on a blocking socket - libmilter's listener; Asio's sockets are
// non-blocking and Asio pauses by itself (net::Server) - it sleeps net::kAcceptPause and logs
// at most one line per net::kAcceptLogInterval with the number of failures, as net::Server
// does for the other listeners. Inert until the milter is opened
// (pause_accepts_when_out_of_descriptors). Untrusted input: none (our own descriptors).
#include "verifier/milter/milter.hpp"

#include "core/net/server.hpp"
#include "core/util/log.hpp"

#include <asio/error.hpp>

#include <fcntl.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>
#include <thread>

namespace postseal::milter {

static std::atomic<bool> g_pausing{false};  // set by pause_accepts_when_out_of_descriptors()

void pause_accepts_when_out_of_descriptors() { g_pausing = true; }

// pausing_for - whether accept() on `fd` failing with `error` is to be paused after: the
// milter is open, descriptors or memory ran out, and the socket is blocking (libmilter's).
static bool pausing_for(int fd, int error) {
  if (!g_pausing || !net::resource_exhausted(std::error_code(error, asio::error::get_system_category()))) return false;
  const int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && (flags & O_NONBLOCK) == 0;
}

// pause_after_accept_failure - sleep, and log at most once per interval with the count.
static void pause_after_accept_failure(int error) {
  static std::atomic<long> failures{0};
  static std::atomic<std::int64_t> last_log{0};
  ++failures;
  const auto now = std::chrono::steady_clock::now().time_since_epoch();
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now).count();
  auto prev = last_log.load();
  if (now_s - prev >= net::kAcceptLogInterval.count() && last_log.compare_exchange_strong(prev, now_s))
    log::warning("milter: accept: {} ({} time(s) in the last {}s); pausing accepts for {} ms each time",
                 std::strerror(error), failures.exchange(0), net::kAcceptLogInterval.count(),
                 net::kAcceptPause.count());
  std::this_thread::sleep_for(net::kAcceptPause);
}

}  // namespace postseal::milter

extern "C" int accept(int fd, sockaddr* __restrict addr, socklen_t* __restrict len) {
  const int accepted = ::accept4(fd, addr, len, 0);
  if (accepted >= 0) return accepted;
  const int error = errno;
  if (postseal::milter::pausing_for(fd, error)) postseal::milter::pause_after_accept_failure(error);
  errno = error;
  return accepted;
}
