// dialog.cpp - one connection's milter conversation (see dialog.hpp, docs/milter-protocol.md).
#include "verifier/milter/dialog.hpp"

#include <cctype>

namespace postseal::milter {
namespace {

using protocol::Stage;
namespace cmd = protocol::command;
namespace rep = protocol::reply;
namespace step = protocol::step;

// no_reply_step - the NR_* step that lets the MTA skip our answer to `command`, or 0.
std::uint32_t no_reply_step(char command) {
  switch (command) {
    case cmd::connect: return step::nr_conn;
    case cmd::helo: return step::nr_helo;
    case cmd::mail: return step::nr_mail;
    case cmd::rcpt: return step::nr_rcpt;
    case cmd::data: return step::nr_data;
    case cmd::header: return step::nr_hdr;
    case cmd::eoh: return step::nr_eoh;
    case cmd::body: return step::nr_body;
    case cmd::unknown: return step::nr_unkn;
    default: return 0;
  }
}

// enhanced_status - "d.ddd.ddd" (RFC 3463), as smfi_setreply checked it.
bool enhanced_status(std::string_view x) {
  int parts = 0;
  std::size_t digits = 0;
  for (char c : x) {
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      if (++digits > 3) return false;
    } else if (c == '.' && digits > 0 && parts < 2) {
      ++parts;
      digits = 0;
    } else {
      return false;
    }
  }
  return parts == 2 && digits > 0 && (x[0] == '2' || x[0] == '4' || x[0] == '5');
}

// braced - "x" <-> "{x}": the other spelling of a one-letter macro name, else empty.
std::string braced(std::string_view name) {
  if (name.size() == 1) return "{" + std::string(name) + "}";
  if (name.size() == 3 && name.front() == '{' && name.back() == '}')
    return std::string(name.substr(1, 1));
  return {};
}

}  // namespace

Dialog::Dialog(const Callbacks& callbacks)
    : callbacks_(callbacks), session_(std::make_unique<Session>()) {}

Dialog::~Dialog() { finish(); }

void Dialog::finish() { close_session(); }

void Dialog::open_session() {
  if (open_) return;
  open_ = true;
  if (callbacks_.open) callbacks_.open(*this);
}

void Dialog::close_session() {
  if (!open_) return;
  open_ = false;
  if (callbacks_.close) callbacks_.close(*this);
  session_ = std::make_unique<Session>();
}

Dialog::Next Dialog::handle(const protocol::Frame& frame, std::string& out) {
  if (frame.command == cmd::optneg) return negotiate(frame.data, out);
  if (!negotiated_) return Next::close;
  return dispatch(frame, out);
}

Dialog::Next Dialog::negotiate(std::string_view data, std::string& out) {
  if (negotiated_) return Next::close;  // once per connection
  auto offer = protocol::parse_optneg(data);
  if (!offer) return Next::close;
  negotiated_ = protocol::negotiate(*offer, callbacks_.wanted);
  if (!negotiated_) return Next::close;
  protocol::append_packet(out, rep::optneg, negotiated_->reply_data);
  open_session();
  return Next::go_on;
}

Dialog::Next Dialog::dispatch(const protocol::Frame& frame, std::string& out) {
  switch (frame.command) {
    case cmd::macro: store_macros(frame.data); return Next::go_on;
    case cmd::connect: {
      auto c = protocol::parse_connect(frame.data);
      if (!c) return Next::close;
      clear_stages_after(Stage::connect);
      open_session();
      answer(frame.command, callbacks_.connect(*this, *c), out);
      return Next::go_on;
    }
    case cmd::helo: {
      auto args = protocol::parse_strings(frame.data);
      if (!args) return Next::close;
      answer(frame.command, callbacks_.helo(*this, args->front()), out);
      return Next::go_on;
    }
    case cmd::data:
    case cmd::unknown: answer(frame.command, Status::continue_, out); return Next::go_on;
    case cmd::abort:
      callbacks_.abort(*this);
      reply_.reset();
      held_.reset();
      return Next::go_on;
    case cmd::quit: close_session(); return Next::close;
    case cmd::quit_nc:  // a new SMTP connection follows on this milter connection
      close_session();
      for (auto& stage : macros_) stage.clear();
      open_session();
      return Next::go_on;
    default: return message_command(frame, out);
  }
}

Dialog::Next Dialog::message_command(const protocol::Frame& frame, std::string& out) {
  switch (frame.command) {
    case cmd::mail:
    case cmd::rcpt: {
      auto args = protocol::parse_strings(frame.data);
      if (!args) return Next::close;
      if (frame.command == cmd::mail) clear_stages_after(Stage::envfrom);
      auto* callback = frame.command == cmd::mail ? callbacks_.envfrom : callbacks_.envrcpt;
      answer(frame.command, callback(*this, *args), out);
      return Next::go_on;
    }
    case cmd::header: {
      auto h = protocol::parse_header(frame.data);
      if (!h) return Next::close;
      answer(frame.command, callbacks_.header(*this, h->name, h->value), out);
      return Next::go_on;
    }
    case cmd::eoh: answer(frame.command, callbacks_.eoh(*this), out); return Next::go_on;
    case cmd::body:
      answer(frame.command, callbacks_.body(*this, frame.data), out);
      return Next::go_on;
    case cmd::eom: {
      if (!frame.data.empty()) {  // a last body chunk may ride on end of message
        auto st = callbacks_.body(*this, frame.data);
        if (st != Status::continue_) {
          answer(frame.command, st, out);
          return Next::go_on;
        }
      }
      changes_ = &out;
      auto st = callbacks_.eom(*this);
      changes_ = nullptr;
      answer(frame.command, st, out);
      return Next::go_on;
    }
    default: return Next::close;  // not a milter command
  }
}

void Dialog::answer(char command, Status status, std::string& out) {
  std::optional<std::string> text = std::exchange(reply_, std::nullopt);
  const std::uint32_t nr = no_reply_step(command);
  if (nr != 0 && (negotiated_->steps & nr) != 0) {  // the MTA does not wait for this answer
    if (status != Status::continue_ && !held_) held_ = Held{status, std::move(text)};
    return;
  }
  if (held_ && status == Status::continue_) {  // an unanswered step's failure, answered now
    status = held_->status;
    text = std::move(held_->text);
  }
  held_.reset();
  switch (status) {
    case Status::continue_: return protocol::append_packet(out, rep::continue_);
    case Status::accept: return protocol::append_packet(out, rep::accept);
    case Status::discard: return protocol::append_packet(out, rep::discard);
    case Status::reject:
      if (text && (*text)[0] == '5') return protocol::append_replycode(out, *text);
      return protocol::append_packet(out, rep::reject);
    case Status::tempfail:
      if (text && (*text)[0] == '4') return protocol::append_replycode(out, *text);
      return protocol::append_packet(out, rep::tempfail);
  }
}

void Dialog::store_macros(std::string_view data) {
  auto m = protocol::parse_macros(data);
  if (!m) return;
  auto stage = protocol::stage_of(m->command);
  if (!stage) return;
  auto& list = macros_[static_cast<std::size_t>(*stage)];
  list.clear();
  for (const auto& [name, value] : m->pairs)
    list.emplace_back(std::string(name), std::string(value));
}

void Dialog::clear_stages_after(Stage stage) {
  // the order a transaction goes through the stages
  constexpr Stage order[] = {Stage::connect, Stage::helo, Stage::envfrom, Stage::envrcpt,
                             Stage::data,    Stage::eoh,  Stage::eom};
  bool after = false;
  for (Stage s : order) {
    if (after) macros_[static_cast<std::size_t>(s)].clear();
    if (s == stage) after = true;
  }
}

std::optional<std::string_view> Dialog::macro(std::string_view name) const {
  const std::string other = braced(name);
  for (auto stage = macros_.rbegin(); stage != macros_.rend(); ++stage)
    for (const auto& [n, v] : *stage)
      if (n == name || (!other.empty() && n == other)) return std::string_view(v);
  return std::nullopt;
}

bool Dialog::leading_space() const {
  return negotiated_ && (negotiated_->steps & step::hdr_leadspc) != 0;
}

bool Dialog::set_reply(std::string_view rcode, std::string_view xcode, std::string_view text) {
  if (rcode.size() != 3 || (rcode[0] != '4' && rcode[0] != '5') ||
      std::isdigit(static_cast<unsigned char>(rcode[1])) == 0 ||
      std::isdigit(static_cast<unsigned char>(rcode[2])) == 0)
    return false;
  if (!xcode.empty() && !enhanced_status(xcode)) return false;
  if (text.find_first_of("\r\n") != std::string_view::npos || text.size() > kMaxReplyTextOctets)
    return false;
  if (text.find('\0') != std::string_view::npos) return false;
  reply_ = std::string(rcode) + " " + std::string(xcode) + " " + std::string(text);
  return true;
}

bool Dialog::may_change(std::uint32_t action) const {
  return changes_ != nullptr && negotiated_ && (negotiated_->actions & action) != 0;
}

bool Dialog::add_header(std::string_view name, std::string_view value) {
  if (!may_change(protocol::action::addhdrs) || name.empty()) return false;
  protocol::append_header_change(*changes_, rep::addheader, std::nullopt, name, value);
  return true;
}

bool Dialog::insert_header(std::uint32_t index, std::string_view name, std::string_view value) {
  if (!may_change(protocol::action::addhdrs) || name.empty()) return false;
  protocol::append_header_change(*changes_, rep::insheader, index, name, value);
  return true;
}

bool Dialog::change_header(std::uint32_t index, std::string_view name,
                           std::optional<std::string_view> value) {
  if (!may_change(protocol::action::chghdrs) || name.empty()) return false;
  protocol::append_header_change(*changes_, rep::chgheader, index, name,
                                 value.value_or(std::string_view{}));
  return true;
}

bool Dialog::quarantine(std::string_view reason) {
  if (!may_change(protocol::action::quarantine) || reason.empty()) return false;
  protocol::append_string(*changes_, rep::quarantine, reason);
  return true;
}

bool Dialog::add_recipient(std::string_view address) {
  if (!may_change(protocol::action::addrcpt) || address.empty()) return false;
  protocol::append_string(*changes_, rep::addrcpt, address);
  return true;
}

bool Dialog::delete_recipient(std::string_view address) {
  if (!may_change(protocol::action::delrcpt) || address.empty()) return false;
  protocol::append_string(*changes_, rep::delrcpt, address);
  return true;
}

}  // namespace postseal::milter
