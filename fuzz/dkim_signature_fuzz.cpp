// dkim_signature_fuzz.cpp - fuzz the DKIM-Signature parser (RFC 6376 3.5) and the b= emptying
// used for the header hash. Input: an arbitrary field value. Checks: no crash, no UB; a parsed
// signature keeps the invariants the verifier relies on (From in h=, hostname d=/s=, i= set,
// x= >= t=, bounded h=).
#include "core/dkim/header_hash.hpp"
#include "core/dkim/message_verifier.hpp"
#include "core/dkim/signature.hpp"
#include "core/util/text.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view value(reinterpret_cast<const char*>(data), size);
  auto sig = postseal::dkim::parse_signature(value);
  if (sig) {
    bool from = false;
    for (const auto& h : sig->h) from = from || postseal::iequals(h, "from");
    if (!from || !postseal::dkim::is_hostname(sig->d) || !postseal::dkim::is_hostname(sig->s) ||
        sig->i.empty() || sig->h.size() > postseal::dkim::kMaxSignedHeaders ||
        (sig->t && sig->x && *sig->x < *sig->t) || sig->b.empty()) {
      std::abort();
    }
  }
  std::string field = "DKIM-Signature:";
  field.append(value);
  auto emptied = postseal::dkim::empty_b_value(field);
  if (emptied.size() > field.size()) std::abort();
  return 0;
}
