// socketmap.cpp - socketmap request parsing and reply framing (see socketmap.hpp).
#include "srs/socketmap.hpp"

#include "core/util/text.hpp"
#include "srs/netstring.hpp"

namespace postseal::srs {

std::expected<SocketmapRequest, std::string> parse_socketmap_request(std::string_view payload) {
  if (payload.size() > kMaxQueryOctets) return std::unexpected("request too long");
  const auto sp = payload.find(' ');
  if (sp == std::string_view::npos || sp == 0)
    return std::unexpected("request is not \"name key\"");
  if (has_control(payload)) return std::unexpected("control character in request");
  return SocketmapRequest{payload.substr(0, sp), payload.substr(sp + 1)};
}

std::string socketmap_reply(SocketmapStatus status, std::string_view text) {
  std::string payload;
  switch (status) {
    case SocketmapStatus::ok: payload = "OK "; break;
    case SocketmapStatus::notfound: payload = "NOTFOUND "; break;
    case SocketmapStatus::temp: payload = "TEMP "; break;
    case SocketmapStatus::perm: payload = "PERM "; break;
  }
  if (status == SocketmapStatus::ok) {
    payload.append(text);  // values are addresses we produced; a reply is never cut
  } else if (status != SocketmapStatus::notfound) {
    payload += printable(text);
  }
  if (payload.size() > kMaxReplyOctets) payload = "PERM reply too long";
  return encode_netstring(payload);
}

}  // namespace postseal::srs
