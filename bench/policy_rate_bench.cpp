// policy_rate_bench.cpp - open-loop load for a Postfix policy service: a request every 1/RATE s
// over CONNS connections, the latency of each answer counted from when its request was due.
//
// Usage: policy_rate_bench RATE SECONDS CONNS PORT SEED
// Prints `rate R sent S p50_ms A p99_ms B max_ms C` as bench/greylist/client.py's `rate` mode
// does (same requests: every one a distinct greylisting triplet numbered from SEED), for
// bench/run_greylist.sh. Written in C++ because at 5,000 requests/s the Python client's own
// scheduling delays were of the size being measured. One outstanding request per connection,
// as Postfix's smtpd asks; a request due while every connection waits is sent when one frees,
// and its latency includes that wait (queueing is what a slow service causes). Limits: answers
// over 4,096 octets, a closed connection, an answer that is no `action=` line, or a run longer
// than SECONDS + 60 end the program with status 1.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "policy_rate_bench: %s\n", what);
  std::exit(1);
}

// request - the same text as client.py's request(n).
std::string request(long n) {
  char b[512];
  std::snprintf(b, sizeof b,
                "request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
                "client_address=10.%ld.%ld.%ld\nclient_name=unknown\nreverse_client_name=unknown\n"
                "helo_name=mail%ld.example.com\nsender=user%ld@sender%ld.example\n"
                "recipient=rcpt%ld@dest.example\nqueue_id=\ninstance=%lx\nsize=0\n\n",
                (n >> 16) & 255, (n >> 8) & 255, n & 255, n % 1000, n, n % 1000, n, n);
  return b;
}

struct Conn {
  int fd = -1;
  bool busy = false;
  Clock::time_point due;
  std::string in;
};

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) die("cannot connect");
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

void send_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) die("send failed");
    off += static_cast<std::size_t>(n);
  }
}

// read_answers - the answers complete in what `c` has now; each one frees the connection.
int read_answers(Conn& c) {
  char b[4096];
  ssize_t n = ::recv(c.fd, b, sizeof b, 0);
  if (n <= 0) die("the server closed a connection");
  c.in.append(b, static_cast<std::size_t>(n));
  int answers = 0;
  for (std::size_t end; (end = c.in.find("\n\n")) != std::string::npos;) {
    if (c.in.compare(0, 7, "action=") != 0) die("not an action line");
    c.in.erase(0, end + 2);
    ++answers;
  }
  if (c.in.size() > 4096) die("answer over 4096 octets");
  return answers;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) die("usage: policy_rate_bench RATE SECONDS CONNS PORT SEED");
  const double rate = std::atof(argv[1]), secs = std::atof(argv[2]);
  const int nconn = std::atoi(argv[3]), port = std::atoi(argv[4]);
  long n = std::atol(argv[5]);
  if (rate <= 0 || secs <= 0 || nconn < 1 || nconn > 1024) die("bad arguments");
  std::vector<Conn> conns(static_cast<std::size_t>(nconn));
  for (auto& c : conns) c.fd = connect_to(port);
  const long total = static_cast<long>(rate * secs);
  const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate));
  std::vector<double> latency;
  latency.reserve(static_cast<std::size_t>(total));
  std::vector<pollfd> fds(conns.size());
  long sent = 0;
  const auto start = Clock::now();
  while (static_cast<long>(latency.size()) < total) {
    auto now = Clock::now();
    for (auto& c : conns) {
      if (sent >= total || start + sent * interval > now) break;
      if (c.busy) continue;
      c.busy = true;
      c.due = start + sent * interval;
      send_all(c.fd, request(n++));
      ++sent;
    }
    // until the next request is due when a connection is free to send it (ppoll: sub-millisecond,
    // where poll's milliseconds would make the client late or spin), else until an answer
    auto wait = std::chrono::nanoseconds(std::chrono::milliseconds(50));
    const bool free = std::any_of(conns.begin(), conns.end(), [](const Conn& c) { return !c.busy; });
    if (sent < total && free)
      wait = std::max(std::chrono::nanoseconds(0), std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                       start + sent * interval - Clock::now()));
    const timespec ts{static_cast<time_t>(wait.count() / 1000000000), static_cast<long>(wait.count() % 1000000000)};
    for (std::size_t i = 0; i < conns.size(); ++i) fds[i] = {conns[i].fd, POLLIN, 0};
    if (::ppoll(fds.data(), fds.size(), &ts, nullptr) < 0) die("ppoll failed");
    for (std::size_t i = 0; i < conns.size(); ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      int answers = read_answers(conns[i]);
      if (answers > 0) {
        latency.push_back(std::chrono::duration<double, std::milli>(Clock::now() - conns[i].due).count());
        conns[i].busy = false;
      }
    }
    if (Clock::now() - start > std::chrono::duration<double>(secs + 60)) die("the run overran");
  }
  std::sort(latency.begin(), latency.end());
  auto q = [&](double p) { return latency[std::min(latency.size() - 1, static_cast<std::size_t>(p * latency.size()))]; };
  std::printf("rate %.0f sent %ld p50_ms %.3f p99_ms %.3f max_ms %.3f\n", rate, sent, q(0.5), q(0.99), latency.back());
  for (auto& c : conns) ::close(c.fd);
  return 0;
}
