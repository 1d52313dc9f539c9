// srs_socketmap_fuzz.cpp - fuzz the socketmap request path: netstring framing of a byte
// stream, request parsing and the SRS lookups behind it (untrusted: every byte).
#include "srs/netstring.hpp"
#include "srs/rewriter.hpp"
#include "srs/socketmap.hpp"

#include <cstdlib>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const postseal::FixedClock clock(1700000000);
  static const postseal::srs::SrsCodec codec({}, {"tops3cr3t"}, clock);
  static const postseal::srs::Rewriter rw(codec, "fwd.example", {".local.example"});
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < 1000; ++i) {
    auto p = postseal::srs::parse_netstring(in, postseal::srs::kMaxQueryOctets);
    if (p.status != postseal::srs::NetstringParse::Status::complete) break;
    if (!(p.consumed > 0 && p.consumed <= in.size())) std::abort();
    if (!(p.payload.size() <= postseal::srs::kMaxQueryOctets)) std::abort();
    if (auto req = postseal::srs::parse_socketmap_request(p.payload)) {
      auto r = req->name == "forward" ? rw.forward(req->key) : rw.reverse(req->key);
      auto reply = postseal::srs::socketmap_reply(
          r.found ? postseal::srs::SocketmapStatus::ok : postseal::srs::SocketmapStatus::notfound, r.value);
      if (!(reply.size() <= postseal::srs::kMaxReplyOctets + 8)) std::abort();
    }
    in.remove_prefix(p.consumed);
  }
  return 0;
}
