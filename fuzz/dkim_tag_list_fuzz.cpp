// dkim_tag_list_fuzz.cpp - fuzz RFC 6376 3.2 tag-list parsing (DKIM-Signature values, key
// records) and, on the same input, body and header canonicalization.
//
// Checks that hold for every input: no crash or overrun; a parsed list has at most kMaxTags
// unique, well-formed names; hashing the input as a body in two chunks equals one pass.
#include "core/dkim/canonicalize.hpp"
#include "core/mail/tag_list.hpp"

#include <openssl/evp.h>

#include <cstdint>
#include <cstdlib>
#include <set>
#include <string_view>

namespace {

std::string hash(postseal::dkim::Canon canon, std::string_view a, std::string_view b) {
  postseal::dkim::BodyHasher h(canon, EVP_sha256());
  h.update(a);
  h.update(b);
  return h.finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto list = postseal::mail::parse_tag_list(in);
  if (list) {
    if (list->tags.size() > postseal::mail::kMaxTags) std::abort();
    std::set<std::string> names;
    for (const auto& [name, value] : list->tags) {
      if (name.empty() || !names.insert(name).second) std::abort();
    }
  }
  using postseal::dkim::Canon;
  std::size_t split = size == 0 ? 0 : data[0] % (size + 1);
  for (Canon canon : {Canon::simple, Canon::relaxed}) {
    if (hash(canon, in.substr(0, split), in.substr(split)) != hash(canon, in, {})) std::abort();
  }
  postseal::dkim::canonicalize_header(Canon::relaxed, in);
  return 0;
}
