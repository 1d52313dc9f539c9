// protocol.hpp - the Sendmail milter protocol, version 6, as Postfix speaks it (milter8.c):
// frames, the MTA's commands decoded into value structs, option negotiation, and the filter's
// replies encoded (docs/milter-protocol.md). Pure functions, no I/O: server.cpp reads and
// writes, milter.cpp decides.
//
// A frame is a 4-octet big-endian length (the command octet included), the command octet and
// length - 1 octets of data. Untrusted input: every octet the MTA sends. Limits: a frame longer
// than kMaxPacketOctets, or of length 0, is an error (the connection is dropped, as libmilter
// did); every read is bounds-checked and a string argument must end in its NUL; at most
// kMaxArguments strings per MAIL/RCPT and kMaxMacros name/value pairs per 'D' packet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace postseal::milter::protocol {

// kMaxPacketOctets - the largest frame read: Postfix passes a header field of up to
// header_size_limit (default 102,400 octets) in one packet, above the classic 64 KiB.
inline constexpr std::size_t kMaxPacketOctets = 256 * 1024;
// kLengthOctets - the size of the length prefix.
inline constexpr std::size_t kLengthOctets = 4;
// kVersion - the protocol version we speak.
inline constexpr std::uint32_t kVersion = 6;
// kMaxArguments - strings kept from one MAIL or RCPT packet (address plus ESMTP parameters).
inline constexpr std::size_t kMaxArguments = 64;
// kMaxMacros - name/value pairs kept from one 'D' packet.
inline constexpr std::size_t kMaxMacros = 64;

// Commands (MTA -> filter).
namespace command {
inline constexpr char optneg = 'O', macro = 'D', connect = 'C', helo = 'H', mail = 'M', rcpt = 'R',
                      data = 'T', header = 'L', eoh = 'N', body = 'B', eom = 'E', abort = 'A',
                      quit = 'Q', quit_nc = 'K', unknown = 'U';
}
// Replies (filter -> MTA).
namespace reply {
inline constexpr char optneg = 'O', continue_ = 'c', accept = 'a', reject = 'r', tempfail = 't',
                      discard = 'd', replycode = 'y', addheader = 'h', insheader = 'i',
                      chgheader = 'm', quarantine = 'q', addrcpt = '+', delrcpt = '-',
                      progress = 'p';
}
// Actions the filter may take (SMFIF_*), offered by the MTA and asked for in the reply.
namespace action {
inline constexpr std::uint32_t addhdrs = 0x01, chgbody = 0x02, addrcpt = 0x04, delrcpt = 0x08,
                               chghdrs = 0x10, quarantine = 0x20, chgfrom = 0x40,
                               addrcpt_par = 0x80, setsymlist = 0x100;
}
// Protocol steps (SMFIP_*): NO* = do not send that command, NR_* = send it but expect no reply.
namespace step {
inline constexpr std::uint32_t noconnect = 0x01, nohelo = 0x02, nomail = 0x04, norcpt = 0x08,
                               nobody = 0x10, nohdrs = 0x20, noeoh = 0x40, nr_hdr = 0x80,
                               nounknown = 0x100, nodata = 0x200, skip = 0x400, rcpt_rej = 0x800,
                               nr_conn = 0x1000, nr_helo = 0x2000, nr_mail = 0x4000,
                               nr_rcpt = 0x8000, nr_data = 0x10000, nr_unkn = 0x20000,
                               nr_eoh = 0x40000, nr_body = 0x80000, hdr_leadspc = 0x100000;
}
// Macro stages of SETSYMLIST (SMFIM_*), and the command each stage's 'D' packet precedes.
enum class Stage : std::uint32_t {
  connect = 0,
  helo = 1,
  envfrom = 2,
  envrcpt = 3,
  data = 4,
  eom = 5,
  eoh = 6
};
inline constexpr std::size_t kStages = 7;
// stage_of - the stage whose macros a 'D' packet for `cmd` carries, or nothing.
std::optional<Stage> stage_of(char cmd);

// Frame - one packet: its command and data (a view into the read buffer).
struct Frame {
  char command = 0;
  std::string_view data;
};
// FrameError - why a stream cannot go on.
enum class FrameError { zero_length, too_long };
// FrameResult - a frame and the octets it took, nothing yet (need more octets), or an error.
struct FrameResult {
  std::optional<Frame> frame;
  std::size_t consumed = 0;
  std::optional<FrameError> error;
};
// next_frame - the first frame in `buffer` (its length checked before any data is trusted).
FrameResult next_frame(std::string_view buffer);

// OptNeg - the 'O' packet: version, actions and protocol steps.
struct OptNeg {
  std::uint32_t version = 0;
  std::uint32_t actions = 0;
  std::uint32_t steps = 0;
};
std::optional<OptNeg> parse_optneg(std::string_view data);

// Wanted - what the filter asks for: actions, protocol steps (granted only when offered) and
// macro lists per stage (sent only when SETSYMLIST is granted).
struct Wanted {
  std::uint32_t actions = 0;
  std::uint32_t steps = 0;
  std::vector<std::pair<Stage, std::string>> macros;
};
// Negotiated - what both sides agreed on, and the reply packet's data.
struct Negotiated {
  std::uint32_t actions = 0;
  std::uint32_t steps = 0;
  std::string reply_data;  // after the 'O' command octet
};
// negotiate - our reply to the MTA's offer; nothing when the MTA's version is below 2 (as
// libmilter, no common version).
std::optional<Negotiated> negotiate(const OptNeg& mta, const Wanted& wanted);

// Connect - the 'C' packet: client host name, address family ('4', '6', 'L', 'U'), port and
// address text (empty for 'U').
struct Connect {
  std::string_view hostname;
  char family = 'U';
  std::uint16_t port = 0;
  std::string_view address;
};
std::optional<Connect> parse_connect(std::string_view data);

// Header - the 'L' packet: field name and value.
struct Header {
  std::string_view name;
  std::string_view value;
};
std::optional<Header> parse_header(std::string_view data);

// parse_strings - NUL-terminated strings (HELO, MAIL, RCPT, unknown), at most `max`; the data
// must end in a NUL. An empty packet is an error.
std::optional<std::vector<std::string_view>> parse_strings(std::string_view data,
                                                           std::size_t max = kMaxArguments);

// Macros - the 'D' packet: the stage command and its name/value pairs (libmilter drops a
// trailing name without value; so do we).
struct Macros {
  char command = 0;
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
};
std::optional<Macros> parse_macros(std::string_view data);

// Encoders: append one packet to `out`.
void append_packet(std::string& out, char cmd, std::string_view data = {});
// append_replycode - 'y' with "rcode xcode text" NUL-terminated.
void append_replycode(std::string& out, std::string_view text);
// append_header_change - 'h' (no index), 'i' or 'm' (index first): name NUL value NUL.
void append_header_change(std::string& out, char cmd, std::optional<std::uint32_t> index,
                          std::string_view name, std::string_view value);
// append_string - `cmd` with one NUL-terminated string (quarantine, addrcpt, delrcpt).
void append_string(std::string& out, char cmd, std::string_view text);

// put_u32 / get_u32 - big-endian 32-bit integers.
void put_u32(std::string& out, std::uint32_t value);
std::uint32_t get_u32(std::string_view four);

}  // namespace postseal::milter::protocol
