// dk_canon_fuzz.cpp - RFC 4870 3.4.2 body canonicalization: for any body, canonicalizing in
// two chunks (split where the first octet says) must equal one pass; aborts otherwise.
#include "core/domainkeys/dk_canon.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace postseal::domainkeys;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (DkCanon canon : {DkCanon::simple, DkCanon::nofws}) {
    BodyCanonicalizer whole(canon), parts(canon);
    std::string a, b;
    whole.update(in, a);
    whole.finish(a);
    std::size_t split = in.empty() ? 0 : static_cast<unsigned char>(in[0]) % in.size();
    parts.update(in.substr(0, split), b);
    parts.update(in.substr(split), b);
    parts.finish(b);
    if (a != b) std::abort();
    (void)canonicalize_header(canon, in);
  }
  return 0;
}
