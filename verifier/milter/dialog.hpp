// dialog.hpp - one MTA connection's milter conversation without I/O (docs/milter-protocol.md):
// each frame the server reads is handed to handle(), which runs the callback for its command
// and appends the reply packets (end-of-message changes first, then the answer) to the
// output the server writes. Negotiation first; any other command before it, a malformed packet
// or an unknown command ends the connection. A step granted as no-reply (NR_*) is not answered;
// should its callback fail, that failure is the answer to the next step the MTA waits for (the
// message's next answered command: MAIL, RCPT or end of message). Macros are kept per stage: a
// stage's 'D' packet replaces that stage's list; connect clears all later stages, MAIL the stages
// after MAIL.
//
// Untrusted input: every frame (protocol.hpp decodes them with bounds checks). Limits: those of
// protocol.hpp; kMaxReplyTextOctets per reply text; at most protocol::kMaxMacros macros kept
// per stage.
#pragma once

#include "verifier/milter/context.hpp"
#include "verifier/milter/protocol.hpp"
#include "verifier/milter/session.hpp"

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace postseal::milter {

// Dialog - the Context of one connection and its protocol state.
class Dialog final : public Context {
 public:
  explicit Dialog(const Callbacks& callbacks);
  ~Dialog() override;
  Dialog(const Dialog&) = delete;
  Dialog& operator=(const Dialog&) = delete;

  // Next - whether the connection goes on after a frame.
  enum class Next { go_on, close };
  // handle - one frame: the callback run, the reply appended to `out`.
  Next handle(const protocol::Frame& frame, std::string& out);
  // finish - the connection ends (EOF, error, timeout): close callback if not done yet.
  void finish();
  bool negotiated() const { return negotiated_.has_value(); }

  Session& session() override { return *session_; }
  std::optional<std::string_view> macro(std::string_view name) const override;
  bool leading_space() const override;
  bool set_reply(std::string_view rcode, std::string_view xcode, std::string_view text) override;
  bool add_header(std::string_view name, std::string_view value) override;
  bool insert_header(std::uint32_t index, std::string_view name, std::string_view value) override;
  bool change_header(std::uint32_t index, std::string_view name,
                     std::optional<std::string_view> value) override;
  bool quarantine(std::string_view reason) override;
  bool add_recipient(std::string_view address) override;
  bool delete_recipient(std::string_view address) override;

 private:
  Next negotiate(std::string_view data, std::string& out);
  Next dispatch(const protocol::Frame& frame, std::string& out);
  Next message_command(const protocol::Frame& frame, std::string& out);
  void store_macros(std::string_view data);
  void clear_stages_after(protocol::Stage stage);
  void answer(char command, Status status, std::string& out);
  bool may_change(std::uint32_t action) const;
  void open_session();
  void close_session();

  const Callbacks& callbacks_;
  std::optional<protocol::Negotiated> negotiated_;
  std::unique_ptr<Session> session_;
  bool open_ = false;  // open callback run, close not yet
  std::array<std::vector<std::pair<std::string, std::string>>, protocol::kStages> macros_;
  std::optional<std::string> reply_;  // set_reply's text for the next answer
  // Held - a failure of a step the MTA does not wait for (NR_*), given as the next answer.
  struct Held {
    Status status;
    std::optional<std::string> text;
  };
  std::optional<Held> held_;
  std::string* changes_ = nullptr;  // the output while the end-of-message callback runs
};

}  // namespace postseal::milter
