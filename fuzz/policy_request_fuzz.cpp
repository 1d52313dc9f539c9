// policy_request_fuzz.cpp - fuzz the Postfix policy protocol path (SMTPD_POLICY_README,
// docs/security.md 40): the request reader over a byte stream cut into chunks, parse_request, and
// the whole stdin/stdout service loop (serve_stdio: reader + PolicySession + decision core
// with the native SPF engine over an in-memory zone; no network). Untrusted: every byte.
// Checked on every input:
//   - the reader never holds a partial line of kMaxLineOctets or more when it asks for more
//     bytes, never returns a request of more than kMaxAttributes lines, and every value it
//     returns is free of LF and NUL;
//   - chunking does not change the outcome (same requests, an error or not; which error may
//     differ: a long line holding a NUL is "too long" whole and "NUL" when cut short);
//   - the service answers exactly once per request read before the first protocol error,
//     each answer one `action=` line (no CR, LF or NUL inside) and an empty line;
//   - every log line is single-line.
// The C library's headers come first: Asio's config decides on std::aligned_alloc from
// macros they define, and every translation unit must decide alike (else Debug builds link
// an aligned_new and an aligned_delete that do not match; ASan reports it).
#include <cstdint>
#include <cstdlib>

#include "core/dns/memory_zone.hpp"
#include "core/util/clock.hpp"
#include "core/util/log.hpp"
#include "verifier/decision/decider.hpp"
#include "verifier/spf/engine.hpp"
#include "verifier/policy/request.hpp"
#include "verifier/policy/server.hpp"

#include <asio/io_context.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using postseal::policy::PolicyRequest;
using postseal::policy::ProtocolError;
using postseal::policy::RequestReader;

// Outcome - what a reader made of a whole input: requests read, then the error or the end.
struct Outcome {
  std::vector<std::string> senders;  // one per request (a field that exercises the slots)
  std::optional<ProtocolError> error;
};

void require(bool ok) {
  if (!ok) std::abort();
}

void check_request(const PolicyRequest& r) {
  require(r.attributes <= postseal::policy::kMaxAttributes);
  require(r.request == "smtpd_access_policy");
  for (const std::string* v : {&r.protocol_state, &r.helo_name, &r.sender, &r.recipient, &r.client_address,
                               &r.client_name, &r.instance, &r.queue_id})
    require(v->find('\n') == std::string::npos && v->find('\0') == std::string::npos &&
            v->size() < postseal::policy::kMaxLineOctets);
}

// read_all - feed `in` in chunks of `chunk` octets, draining requests after each feed.
Outcome read_all(std::string_view in, std::size_t chunk) {
  Outcome out;
  RequestReader reader;
  std::size_t pos = 0;
  while (pos < in.size()) {
    auto n = std::min(chunk, in.size() - pos);
    reader.feed(in.substr(pos, n));
    pos += n;
    for (;;) {
      auto next = reader.next();
      if (!next) {
        out.error = next.error();
        return out;
      }
      if (!*next) break;
      check_request(**next);
      out.senders.push_back((*next)->sender);
    }
    require(reader.buffered() < postseal::policy::kMaxLineOctets);
  }
  return out;
}

// memfd - an anonymous file holding `bytes`, positioned at its start (-1 on failure).
int memfd(std::string_view bytes) {
  int fd = ::memfd_create("policy_request_fuzz", 0);
  if (fd < 0) return -1;
  std::size_t done = 0;
  while (done < bytes.size()) {
    auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      return -1;
    }
    done += static_cast<std::size_t>(n);
  }
  ::lseek(fd, 0, SEEK_SET);
  return fd;
}

std::string read_fd(int fd) {
  std::string out;
  ::lseek(fd, 0, SEEK_SET);
  char buf[4096];
  for (;;) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

postseal::dns::Record txt(std::string text) {
  postseal::dns::Record r;
  r.type = postseal::dns::RrType::txt;
  r.strings = {std::move(text)};
  return r;
}

postseal::dns::MemoryZone& zone() {
  static auto* z = [] {
    auto* m = new postseal::dns::MemoryZone();
    m->add("pass.example", txt("v=spf1 ip4:192.0.2.0/24 -all"));
    m->add("fail.example", txt("v=spf1 -all exp=exp.fail.example"));
    m->add("exp.fail.example", txt("Bad\r\naction=OK %{s}\n\nx"));
    m->add("soft.example", txt("v=spf1 ~all"));
    m->add("broken.example", txt("v=spf1 ip4:nonsense -all"));
    m->add("helo.example", txt("v=spf1 a -all"));
    m->add_timeout("slow.example");
    return m;
  }();
  return *z;
}

// check_answers - `out` is exactly `want` answers, each "action=TEXT\n\n" with TEXT one line.
void check_answers(std::string_view out, std::size_t want) {
  std::size_t count = 0;
  while (!out.empty()) {
    require(out.starts_with("action="));
    auto end = out.find("\n\n");
    require(end != std::string_view::npos);
    auto line = out.substr(0, end);
    require(line.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos);
    out.remove_prefix(end + 2);
    ++count;
  }
  require(count == want);
}

void serve(std::string_view in, std::size_t want_answers) {
  static const postseal::FixedClock clock(1700000000);
  static asio::io_context io;
  auto& z = zone();
  z.clear_queries();
  postseal::decision::Options options;
  options.authserv_id = "mx.test.example";
  static const auto engine = postseal::spf::make_native_engine();
  postseal::decision::Decider decider(options, postseal::decision::engine_checker(*engine, z), &z, clock);
  int in_fd = memfd(in);
  int out_fd = memfd({});
  if (in_fd < 0 || out_fd < 0) std::abort();
  postseal::policy::serve_stdio(io, in_fd, out_fd, decider);
  check_answers(read_fd(out_fd), want_answers);
  ::close(in_fd);
  ::close(out_fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool captured = [] {
    postseal::log::capture([](postseal::log::Level, std::string_view line) {
      require(line.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos);
    });
    return true;
  }();
  (void)captured;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // chunk sizes: whole input, byte by byte (short inputs), and one taken from the input
  auto whole = read_all(in, in.size() + 1);
  if (in.size() <= 4096) {
    auto bytes = read_all(in, 1);
    require(bytes.senders == whole.senders && bytes.error.has_value() == whole.error.has_value());
  }
  std::size_t odd = size > 0 ? 1 + (data[0] * 37u) % 9000u : 1;
  auto chunked = read_all(in, odd);
  require(chunked.senders == whole.senders && chunked.error.has_value() == whole.error.has_value());

  auto first = postseal::policy::parse_request(in);
  if (first) {
    check_request(*first);
    require(!whole.senders.empty() && first->sender == whole.senders.front());
  }
  serve(in, whole.senders.size());
  return 0;
}
