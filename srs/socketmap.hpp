// socketmap.hpp - Postfix's socketmap lookup protocol (socketmap_table(5)), server side.
//
// A request is one netstring "NAME KEY" (NAME the map: "forward" or "reverse"); the reply one
// netstring "OK VALUE", "NOTFOUND ", "TEMP REASON" or "PERM REASON". Untrusted input: the
// request. Limits: a request payload over kMaxQueryOctets is refused (connection closed); a
// reply over kMaxReplyOctets (Postfix's socketmap_max_reply_size default) is never sent: it
// becomes PERM. Reasons are made printable before they are sent.
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

namespace postseal::srs {

// kMaxQueryOctets - longest request payload accepted.
inline constexpr std::size_t kMaxQueryOctets = 10000;
// kMaxReplyOctets - longest reply payload written.
inline constexpr std::size_t kMaxReplyOctets = 100000;

// SocketmapRequest - the map name and the key of one request.
struct SocketmapRequest {
  std::string_view name;
  std::string_view key;
};

// parse_socketmap_request - split a netstring payload into map name and key.
std::expected<SocketmapRequest, std::string> parse_socketmap_request(std::string_view payload);

enum class SocketmapStatus { ok, notfound, temp, perm };

// socketmap_reply - the whole netstring to send.
std::string socketmap_reply(SocketmapStatus status, std::string_view text);

}  // namespace postseal::srs
