// smtp_data_fuzz.cpp - DataReader (RFC 5321 4.5.2) on arbitrary bytes split at a
// fuzz-chosen point: never a CR or LF inside an output line, never a line over the limit,
// and the same lines whatever the split.
#include "core/smtp/data_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t split = in.empty() ? 0 : data[0] % (in.size() + 1);
  auto run = [&](std::size_t cut) {
    std::vector<std::string> lines;
    postseal::smtp::DataReader r([&](std::string_view l) { lines.emplace_back(l); });
    std::size_t used = r.feed(in.substr(0, cut));
    if (!r.done()) used += r.feed(in.substr(cut));
    if (used > in.size()) std::abort();
    return lines;
  };
  auto whole = run(in.size());
  for (const auto& l : whole)
    if (l.find_first_of("\r\n") != std::string::npos || l.size() > postseal::smtp::kMaxDataLineOctets) std::abort();
  if (run(split) != whole) std::abort();
  return 0;
}
