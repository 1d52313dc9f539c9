// rotation_record_fuzz.cpp - fuzz the rotation record parser (keys/rotation/record.hpp), which
// reads values from a state store other hosts (a shared Redis) may have written.
// Untrusted: every byte. Checked on every input:
//   - a record that parses has a valid domain and selector, an absolute key file, times >= 0
//     and no control character in any field;
//   - it formats back to text that parses to the same record (round trip);
//   - its store key starts with kRecordPrefix and fits the store (state::kMaxKeyOctets).
#include "core/state/store.hpp"
#include "core/dkim/key_names.hpp"
#include "core/util/text.hpp"
#include "keys/rotation/record.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace postseal;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = rotation::parse_record(text);
  if (!r) return 0;
  require(!dkim::check_domain(r->d) && !dkim::check_selector(r->s));
  require(r->file.starts_with('/') && r->created >= 0 && r->since >= 0);
  require(!has_control(r->file) && !has_control(r->txt));
  auto again = rotation::parse_record(rotation::format_record(*r));
  require(again.has_value() && *again == *r);
  const auto key = rotation::store_key(*r);
  require(key.starts_with(rotation::kRecordPrefix) && key.size() <= state::kMaxKeyOctets);
  return 0;
}
