// srs_load_bench.cpp - load client for SRS lookup daemons (postseal srsd, postsrsd 1.x).
//
// Usage: srs_load_bench PROTO HOST PORT DIRECTION CLIENTS SECONDS MODE [FWD_PORT]
//   PROTO     socketmap | tcp        (socketmap maps "forward"/"reverse"; tcp = tcp_table "get")
//   DIRECTION forward | reverse      (reverse: addresses are first made by a forward lookup on
//                                     FWD_PORT, or PORT for socketmap)
//   CLIENTS   concurrent connections, one thread each
//   MODE      persistent | connect   (connect: a new connection for every lookup)
// Prints one line: "lookups=N seconds=S rate=R errors=E". Every reply is checked (OK/200);
// a wrong reply counts as an error. Loopback only; bounded by SECONDS.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Target {
  std::string proto, host;
  int port = 0;
};

int open_conn(const Target& t) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(t.port));
  ::inet_pton(AF_INET, t.host.c_str(), &a.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

std::string request(const Target& t, const std::string& map, const std::string& key) {
  if (t.proto == "tcp") return "get " + key + "\n";
  const std::string payload = map + " " + key;
  return std::to_string(payload.size()) + ":" + payload + ",";
}

// Conn - a connection with a read buffer; ask() sends one request and returns the reply text.
struct Conn {
  int fd = -1;
  std::string buf;

  bool read_more() {
    char chunk[4096];
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<size_t>(n));
    return true;
  }

  bool reply(const Target& t, std::string& out) {
    for (;;) {
      if (t.proto == "tcp") {
        auto nl = buf.find('\n');
        if (nl != std::string::npos) {
          out = buf.substr(0, nl);
          buf.erase(0, nl + 1);
          return true;
        }
      } else {
        auto colon = buf.find(':');
        if (colon != std::string::npos) {
          size_t len = std::strtoul(buf.c_str(), nullptr, 10);
          if (buf.size() >= colon + 1 + len + 1) {
            out = buf.substr(colon + 1, len);
            buf.erase(0, colon + 1 + len + 1);
            return true;
          }
        }
      }
      if (!read_more()) return false;
    }
  }

  bool ask(const Target& t, const std::string& req, std::string& out) {
    if (::write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) return false;
    return reply(t, out);
  }
};

// value - the address in an OK/200 reply, or "" when the reply is anything else.
std::string value(const Target& t, const std::string& reply) {
  const std::string ok = t.proto == "tcp" ? "200 " : "OK ";
  return reply.rfind(ok, 0) == 0 ? reply.substr(ok.size()) : std::string();
}

std::vector<std::string> make_keys(const Target& fwd, const std::string& direction) {
  std::vector<std::string> keys;
  for (int i = 0; i < 256; ++i)
    keys.push_back("user" + std::to_string(i) + ".name@example" + std::to_string(i % 17) + ".com");
  if (direction == "forward") return keys;
  Conn c{open_conn(fwd), {}};
  if (c.fd < 0) {
    std::fprintf(stderr, "cannot connect to forward port %d\n", fwd.port);
    std::exit(1);
  }
  for (auto& k : keys) {
    std::string r;
    if (!c.ask(fwd, request(fwd, "forward", k), r) || value(fwd, r).empty()) {
      std::fprintf(stderr, "forward lookup failed: %s\n", r.c_str());
      std::exit(1);
    }
    k = value(fwd, r);
  }
  ::close(c.fd);
  return keys;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 8) {
    std::fprintf(stderr, "usage: %s socketmap|tcp HOST PORT forward|reverse CLIENTS SECONDS persistent|connect [FWD_PORT]\n", argv[0]);
    return 64;
  }
  Target t{argv[1], argv[2], std::atoi(argv[3])};
  const std::string direction = argv[4];
  const int clients = std::atoi(argv[5]);
  const double seconds = std::atof(argv[6]);
  const bool persistent = std::string(argv[7]) == "persistent";
  Target fwd = t;
  if (argc > 8) fwd.port = std::atoi(argv[8]);
  const auto keys = make_keys(fwd, direction);
  std::vector<std::string> requests;
  for (const auto& k : keys) requests.push_back(request(t, direction, k));

  std::atomic<long> total{0}, errors{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      Conn conn;
      long n = 0;
      std::string r;
      for (size_t i = static_cast<size_t>(c); !stop.load(std::memory_order_relaxed); ++i) {
        if (conn.fd < 0) conn = Conn{open_conn(t), {}};
        if (conn.fd < 0 || !conn.ask(t, requests[i % requests.size()], r) || value(t, r).empty()) {
          errors.fetch_add(1);
          if (conn.fd >= 0) ::close(conn.fd);
          conn = Conn{};
          if (errors.load() > 1000) break;
          continue;
        }
        ++n;
        if (!persistent) {
          ::close(conn.fd);
          conn = Conn{};
        }
      }
      if (conn.fd >= 0) ::close(conn.fd);
      total.fetch_add(n);
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop.store(true);
  for (auto& th : threads) th.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("lookups=%ld seconds=%.3f rate=%.0f errors=%ld\n", total.load(), elapsed,
              static_cast<double>(total.load()) / elapsed, errors.load());
  return errors.load() > 0 && total.load() == 0 ? 1 : 0;
}
