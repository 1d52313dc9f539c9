// milter_dialog_fuzz.cpp - fuzz the milter server's codec and connection state machine
// (verifier/milter/protocol.hpp, dialog.hpp; docs/milter-protocol.md) as server.cpp drives
// them: the input is the byte stream the MTA sends, cut into frames by protocol::next_frame
// and handed to a Dialog whose callbacks are fakes that use every Context call (macros, reply
// text, header changes, recipients, quarantine). The first octet of the input chooses the
// protocol steps the fake filter asks for (so the no-reply paths are reached).
//
// Untrusted input: every byte. Inputs over kMaxInputOctets are skipped. Checked on every
// input: each reply the Dialog writes is a whole frame of a reply command we know, with a
// length within kMaxPacketOctets; the stream ends at a frame error or a close, as the server's.
// No network, no files, deterministic.
#include "verifier/milter/dialog.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace postseal::milter;

constexpr std::size_t kMaxInputOctets = 512 * 1024;
constexpr std::string_view kReplyCommands = "Ocartdyhimq+-p";

Status fake_connect(Context& ctx, const protocol::Connect& c) {
  (void)ctx.macro("{daemon_name}");
  return c.family == '6' ? Status::tempfail : Status::continue_;
}
Status fake_helo(Context&, std::string_view) { return Status::continue_; }
Status fake_args(Context& ctx, std::span<const std::string_view> args) {
  if (args.size() > 1) {
    ctx.set_reply("550", "5.7.1", args[1]);
    return Status::reject;
  }
  return Status::continue_;
}
Status fake_header(Context& ctx, std::string_view name, std::string_view value) {
  (void)ctx.macro(name);
  return value.empty() ? Status::tempfail : Status::continue_;
}
Status fake_eoh(Context&) { return Status::continue_; }
Status fake_body(Context&, std::string_view) { return Status::continue_; }
Status fake_eom(Context& ctx) {
  const auto i = ctx.macro("i").value_or("none").substr(0, 1000);
  ctx.insert_header(0, "X-Queue", i);
  ctx.change_header(2, "X-Queue", std::nullopt);
  ctx.add_header("X-Added", i);
  ctx.quarantine(i);
  ctx.delete_recipient(i);
  ctx.add_recipient(i);
  return Status::continue_;
}
void fake_event(Context& ctx) { (void)ctx.session(); }

Callbacks fakes(std::uint32_t steps) {
  Callbacks c;
  c.open = fake_event;
  c.connect = fake_connect;
  c.helo = fake_helo;
  c.envfrom = fake_args;
  c.envrcpt = fake_args;
  c.header = fake_header;
  c.eoh = fake_eoh;
  c.body = fake_body;
  c.eom = fake_eom;
  c.abort = fake_event;
  c.close = fake_event;
  c.wanted.actions = 0x1ff;
  c.wanted.steps = steps;
  c.wanted.macros = {{protocol::Stage::envfrom, "i {auth_authen}"}};
  return c;
}

// check_replies - every octet of `out` is a whole reply frame we know.
void check_replies(std::string_view out) {
  while (!out.empty()) {
    auto r = protocol::next_frame(out);
    if (!r.frame || kReplyCommands.find(r.frame->command) == std::string_view::npos) std::abort();
    out.remove_prefix(r.consumed);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > kMaxInputOctets) return 0;
  const std::uint32_t steps = (data[0] & 1 ? protocol::step::nr_hdr | protocol::step::nr_body : 0) |
                              (data[0] & 2 ? protocol::step::nr_helo | protocol::step::nr_eoh : 0) |
                              protocol::step::hdr_leadspc;
  const auto callbacks = fakes(steps);
  Dialog dialog(callbacks);
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string out;
  for (;;) {
    auto r = protocol::next_frame(in);
    if (!r.frame) break;  // need more (the stream ends) or a frame error
    const auto next = dialog.handle(*r.frame, out);
    in.remove_prefix(r.consumed);
    if (next == Dialog::Next::close) break;
  }
  dialog.finish();
  check_replies(out);
  return 0;
}
