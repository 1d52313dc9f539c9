// srs_tcp_table_fuzz.cpp - fuzz tcp_table request lines (%XX decoding) and the lookups
// behind them (untrusted: every byte).
#include "srs/rewriter.hpp"
#include "srs/tcp_table.hpp"

#include <cstdlib>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const postseal::FixedClock clock(1700000000);
  static const postseal::srs::SrsCodec codec({}, {"tops3cr3t"}, clock);
  static const postseal::srs::Rewriter rw(codec, "fwd.example", {});
  std::string_view in(reinterpret_cast<const char*>(data), size);
  while (!in.empty()) {
    const auto nl = in.find('\n');
    const std::string_view line = in.substr(0, nl);
    in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
    auto key = postseal::srs::parse_tcp_request(line);
    if (!key) continue;
    auto f = rw.forward(*key);
    auto r = rw.reverse(*key);
    const auto reply = postseal::srs::tcp_reply(f.found ? 200 : 500, f.found ? f.value : f.reason);
    if (!(reply.back() == '\n' && reply.find('\n') == reply.size() - 1)) std::abort();
    (void)r;
  }
  return 0;
}
