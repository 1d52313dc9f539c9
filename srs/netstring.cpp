// netstring.cpp - parse and encode netstrings with bounded lengths (see netstring.hpp).
#include "srs/netstring.hpp"

#include <fmt/format.h>

namespace postseal::srs {
namespace {

NetstringParse error(std::string why) {
  NetstringParse p;
  p.status = NetstringParse::Status::error;
  p.error = std::move(why);
  return p;
}

}  // namespace

NetstringParse parse_netstring(std::string_view buffer, std::size_t max_length) {
  std::size_t length = 0, i = 0;
  for (; i < buffer.size() && buffer[i] != ':'; ++i) {
    const char c = buffer[i];
    if (c < '0' || c > '9') return error("netstring length is not a decimal number");
    if (i >= kMaxNetstringDigits) return error("netstring length has too many digits");
    length = length * 10 + static_cast<std::size_t>(c - '0');  // < 10^9: no overflow
    if (length > max_length)
      return error(fmt::format("netstring longer than {} octets", max_length));
  }
  if (i == buffer.size()) return {};  // length not finished yet
  if (i == 0) return error("netstring without a length");
  const std::size_t start = i + 1;
  if (buffer.size() - start < length + 1) return {};  // data or ',' still to come
  if (buffer[start + length] != ',') return error("netstring not terminated by ','");
  NetstringParse p;
  p.status = NetstringParse::Status::complete;
  p.payload = buffer.substr(start, length);
  p.consumed = start + length + 1;
  return p;
}

std::string encode_netstring(std::string_view payload) {
  std::string out = fmt::format("{}:", payload.size());
  out.append(payload);
  out.push_back(',');
  return out;
}

}  // namespace postseal::srs
