// context.hpp - what a milter callback may ask of its connection (what libmilter's SMFICTX
// offered): the connection's Session, the macros the MTA sent, the reply text for a reject or
// tempfail, and the end-of-message changes (header fields, quarantine, recipients), plus the
// table of callbacks the server runs (docs/milter-protocol.md). Dialog (dialog.hpp) is the
// implementation; tests may provide their own.
//
// Untrusted input: macro values are the MTA's. Limits: a reply text is refused when it holds
// CR or LF or is longer than kMaxReplyTextOctets (as smfi_setreply refused it).
#pragma once

#include "verifier/milter/protocol.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace postseal::milter {

struct Session;

// kMaxReplyTextOctets - the longest reply text taken (libmilter's MAXREPLYLEN).
inline constexpr std::size_t kMaxReplyTextOctets = 980;

// Status - a callback's answer (the SMFIS_* of libmilter).
enum class Status { continue_, accept, reject, tempfail, discard };

// Context - one MTA connection as a callback sees it.
class Context {
 public:
  virtual ~Context() = default;
  // session - the connection's state (lives from negotiation to close).
  virtual Session& session() = 0;
  // macro - the value of macro `name` ("i", "{auth_authen}"; "x" also finds "{x}" and the
  // reverse), latest stage first, or nothing.
  virtual std::optional<std::string_view> macro(std::string_view name) const = 0;
  // leading_space - whether header values come with the space after the colon (HDR_LEADSPC).
  virtual bool leading_space() const = 0;
  // set_reply - "rcode xcode text" for the next reject (5xx) or tempfail (4xx) answer; false
  // (nothing set) when malformed.
  virtual bool set_reply(std::string_view rcode, std::string_view xcode, std::string_view text) = 0;
  // End-of-message changes; false when not negotiated or not at end of message.
  virtual bool add_header(std::string_view name, std::string_view value) = 0;
  virtual bool insert_header(std::uint32_t index, std::string_view name,
                             std::string_view value) = 0;
  // change_header - the `index`-th field `name` (1-based) gets `value`; no value deletes it.
  virtual bool change_header(std::uint32_t index, std::string_view name,
                             std::optional<std::string_view> value) = 0;
  virtual bool quarantine(std::string_view reason) = 0;
  virtual bool add_recipient(std::string_view address) = 0;
  virtual bool delete_recipient(std::string_view address) = 0;
};

// Callbacks - what the server runs per command (milter.cpp provides them) and what the
// filter asks for at negotiation.
struct Callbacks {
  void (*open)(Context&) = nullptr;  // after negotiation, the Session new
  Status (*connect)(Context&, const protocol::Connect&) = nullptr;
  Status (*helo)(Context&, std::string_view) = nullptr;
  Status (*envfrom)(Context&, std::span<const std::string_view>) = nullptr;
  Status (*envrcpt)(Context&, std::span<const std::string_view>) = nullptr;
  Status (*header)(Context&, std::string_view name, std::string_view value) = nullptr;
  Status (*eoh)(Context&) = nullptr;
  Status (*body)(Context&, std::string_view) = nullptr;
  Status (*eom)(Context&) = nullptr;
  void (*abort)(Context&) = nullptr;
  void (*close)(Context&) = nullptr;  // before the Session goes
  protocol::Wanted wanted;
};

}  // namespace postseal::milter
