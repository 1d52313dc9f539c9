// session.cpp - greeting, command loop and envelope relay of a filter session (RFC 5321
// 4.1.1, 4.3.2; RFC 2920 pipelining; RFC 2033 LHLO; XFORWARD_README).
#include "core/relay/session_state.hpp"

#include "core/util/log.hpp"
#include "core/util/text.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>

namespace postseal::relay {
namespace {

// peer_address - "127.0.0.1" / "::1", or "unix" for a unix-socket peer.
std::string peer_address(net::Socket& socket) {
  std::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  char text[INET6_ADDRSTRLEN] = {};
  const sockaddr* sa = reinterpret_cast<const sockaddr*>(ep.data());
  if (sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, text, sizeof text);
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, text, sizeof text);
  else
    return "unix";
  return text;
}

// kKnownMailParameters - ESMTP MAIL parameters we advertise and relay.
bool known_mail_parameter(const std::string& k) {
  return k == "SIZE" || k == "BODY" || k == "SMTPUTF8" || k == "RET" || k == "ENVID";
}
bool known_rcpt_parameter(const std::string& k) { return k == "NOTIFY" || k == "ORCPT"; }

// extension_for - which downstream EHLO keyword a parameter needs.
std::string_view extension_for(const std::string& k) {
  if (k == "SIZE") return "SIZE";
  if (k == "BODY") return "8BITMIME";
  if (k == "SMTPUTF8") return "SMTPUTF8";
  return "DSN";
}

// capitalised - "reinjection server" -> "Reinjection server" for the start of a reply text.
std::string capitalised(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 'a' + 'A');
  return text;
}

}  // namespace

std::string reply_text(const smtp::Reply& downstream) {
  std::string r = smtp::mirror(downstream, true).wire();
  r.resize(r.size() - 2);
  return r;
}

void RelayContext::start_draining() {
  draining_.store(true);
  pool_.close_all();
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, w] : wakers_) wake.push_back(w);
  }
  for (auto& w : wake) w();
}

std::size_t RelayContext::add_waker(std::function<void()> wake) {
  std::lock_guard lock(mutex_);
  wakers_.emplace_back(++next_waker_, std::move(wake));
  return next_waker_;
}

void RelayContext::remove_waker(std::size_t id) {
  std::lock_guard lock(mutex_);
  std::erase_if(wakers_, [id](const auto& w) { return w.first == id; });
}

Session::Session(net::Socket socket, RelayContext& context)
    : ctx_(context),
      config_(context.config()),
      stream_(std::move(socket)),
      command_deadline_(stream_.socket(), config_->command_timeout, kTimeoutReplyGrace),
      session_deadline_(stream_.socket(), config_->session_timeout, kTimeoutReplyGrace) {
  peer_ = peer_address(stream_.socket());
  idle_ = std::make_shared<IdleState>();
  idle_->socket = &stream_.socket();
  xforward_allowed_ = peer_ == "unix" || config_->xforward_hosts.matches(std::string_view(peer_));
}

asio::awaitable<void> Session::timed_out(std::string_view after) {
  log::info("timeout after {} from {}", after, peer_);
  out_.clear();
  queue_line(fmt::format("421 4.4.2 {} Error: timeout exceeded", config_->hostname));
  co_await flush();  // bounded: the deadline closes the socket kTimeoutReplyGrace later
}

void Session::queue_reply(std::string line) {
  if (line.starts_with('4') || line.starts_with('5')) ++errors_;
  queue_line(std::move(line));
}

void Session::queue_line(std::string line) {
  out_ += line;
  out_ += "\r\n";
}

asio::awaitable<bool> Session::flush() {
  if (out_.empty()) co_return true;
  bool ok = co_await stream_.write(out_);
  out_.clear();
  co_return ok;
}

asio::awaitable<void> Session::run() {
  const auto& host = config_->hostname;
  queue_reply(fmt::format("220 {} {} postseal", host, config_->lmtp ? "LMTP" : "ESMTP"));
  bool ok1 = co_await flush();
  if (!ok1) co_return;
  auto executor = stream_.socket().get_executor();
  std::size_t waker = ctx_.add_waker([executor, idle = idle_] {
    asio::post(executor, [idle] {
      std::error_code ignored;
      if (idle->socket != nullptr && idle->waiting) idle->socket->cancel(ignored);
    });
  });
  for (;;) {
    if (ctx_.draining() && !in_mail_) {
      queue_line("421 4.3.2 Service shutting down, closing transmission channel");
      co_await flush();
      break;
    }
    if (too_many_errors()) {  // as Postfix's smtpd_hard_error_limit: junk cannot hold a session
      log::info("too many errors from {}", peer_);
      queue_line(fmt::format("421 4.7.0 {} Error: too many errors", host));
      co_await flush();
      break;
    }
    command_deadline_.reset(config_->command_timeout);
    idle_->waiting = !in_mail_;
    auto line = co_await stream_.read_line(smtp::kMaxCommandLineOctets);
    idle_->waiting = false;
    if (!line && line.error() == smtp::StreamError::too_long) {
      queue_reply(fmt::format("500 5.5.2 Line too long (limit {} octets)", smtp::kMaxCommandLineOctets));
      bool ok2 = co_await flush();
      if (!ok2) break;
      continue;
    }
    if (!line) {
      if (ctx_.draining() && !command_deadline_.expired() && !session_deadline_.expired()) continue;
      if (command_deadline_.expired() || session_deadline_.expired()) co_await timed_out(in_mail_ ? "MAIL" : "command");
      break;
    }
    auto command = smtp::parse_command(*line);
    bool go_on = true;
    if (command) {
      go_on = co_await handle(*command);
    } else {
      queue_reply("500 5.5.2 Syntax error: " + command.error());
    }
    if (!go_on) break;
    if (stream_.buffered()) continue;  // pipelining: answer the whole group at once
    bool written = co_await flush();
    if (!written) break;
  }
  ctx_.remove_waker(waker);
  idle_->socket = nullptr;
  co_await release_downstream();
  stream_.close();
}

std::string Session::ehlo_reply(bool lmtp_hello, const std::string& args) {
  std::string name = args.empty() ? "client" : printable(args, 64);
  std::string r = fmt::format("250-{} Hello {}\r\n", config_->hostname, name);
  r += "250-PIPELINING\r\n";
  r += fmt::format("250-SIZE {}\r\n", config_->max_message_size);
  r += "250-8BITMIME\r\n250-SMTPUTF8\r\n250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n";
  if (xforward_allowed_) r += "250-XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE\r\n";
  (void)lmtp_hello;
  r += "250 HELP";
  return r;
}

asio::awaitable<bool> Session::handle(const smtp::Command& c) {
  using smtp::Verb;
  bool lmtp = config_->lmtp;
  switch (c.verb) {
    case Verb::lhlo:
    case Verb::ehlo:
    case Verb::helo:
      if (lmtp != (c.verb == Verb::lhlo)) {
        queue_reply(lmtp ? "500 5.5.1 This is an LMTP server: use LHLO" : "500 5.5.1 Use EHLO or HELO");
        co_return true;
      }
      if (in_mail_) co_await rset();
      greeted_ = true;
      helo_ = printable(c.args, 255);
      queue_reply(c.verb == Verb::helo ? fmt::format("250 {}", config_->hostname) : ehlo_reply(lmtp, c.args));
      co_return true;
    case Verb::xforward:
      xforward(c.args);
      co_return true;
    case Verb::mail:
      co_await mail(c.args);
      co_return true;
    case Verb::rcpt:
      co_await rcpt(c.args);
      co_return true;
    case Verb::data:
      co_return co_await data();
    case Verb::rset:
      co_await rset();
      queue_reply("250 2.0.0 Ok");
      co_return true;
    case Verb::noop:
      queue_reply("250 2.0.0 Ok");
      co_return true;
    case Verb::quit:
      queue_reply("221 2.0.0 Bye");
      co_await flush();
      co_return false;
    case Verb::vrfy:
      queue_reply("252 2.0.0 Send some mail, I'll try my best");
      co_return true;
    case Verb::help:
      queue_reply("214 2.0.0 See RFC 5321");
      co_return true;
    case Verb::unknown:
      queue_reply(fmt::format("502 5.5.2 Error: command not recognized: {}", printable(c.word, 32)));
      co_return true;
  }
  co_return true;
}

void Session::xforward(const std::string& args) {
  if (!xforward_allowed_) return queue_reply("550 5.7.0 Error: insufficient authorization for XFORWARD");
  if (in_mail_) return queue_reply("503 5.5.1 Error: XFORWARD not allowed inside a mail transaction");
  auto attrs = smtp::parse_xforward(args);
  if (!attrs) return queue_reply("501 5.5.4 Syntax: " + attrs.error());
  for (const auto& [name, value] : *attrs) {
    auto decoded = smtp::xtext_decode(value);
    if (!decoded) continue;
    if (name == "IDENT" && smtp::is_queue_id(*decoded)) xforward_ident_ = *decoded;
    if (name == "ADDR") xforward_addr_ = *decoded;
    if (name == "NAME") xforward_name_ = *decoded;
    if (name == "HELO") xforward_helo_ = *decoded;
  }
  xforward_lines_.push_back(args);
  queue_reply("250 2.0.0 Ok");
}

asio::awaitable<void> Session::mail(const std::string& args) {
  if (!greeted_) co_return queue_reply("503 5.5.1 Error: send HELO/EHLO first");
  if (in_mail_) co_return queue_reply("503 5.5.1 Error: nested MAIL command");
  auto path = smtp::parse_path(args, "FROM:");
  if (!path) co_return queue_reply("501 5.5.4 Syntax: MAIL FROM:<address>: " + path.error());
  for (const auto& p : path->parameters) {
    std::string k = smtp::parameter_keyword(p);
    if (!known_mail_parameter(k)) co_return queue_reply("555 5.5.4 Unsupported option: " + printable(p, 40));
    if (k == "SIZE") {
      auto v = smtp::parameter_value(p);
      char* end = nullptr;
      std::string digits(v);
      unsigned long long size = std::strtoull(digits.c_str(), &end, 10);
      if (digits.empty() || *end != '\0' || digits.size() > 19) co_return queue_reply("501 5.5.4 Bad SIZE parameter");
      if (size > config_->max_message_size)
        co_return queue_reply("552 5.3.4 Message size exceeds fixed limit");
    }
  }
  bool ok4 = co_await ensure_downstream();
  if (!ok4) co_return queue_reply(fmt::format("451 4.4.1 {} unavailable, try again later", capitalised(ctx_.downstream())));
  std::string relayed = "MAIL FROM:<" + path->address + ">";
  for (const auto& p : path->parameters) {
    std::string k = smtp::parameter_keyword(p);
    bool supported = downstream_->supports(extension_for(k));
    if (!supported && k == "SIZE") continue;  // a size hint only: dropping it loses nothing
    if (!supported)
      co_return queue_reply(fmt::format("451 4.3.0 {} does not support {}", capitalised(ctx_.downstream()), extension_for(k)));
    relayed += " " + p;
  }
  retried_ = false;
  auto reply = co_await downstream_mail(relayed);
  if (!reply) co_return queue_reply(fmt::format("451 4.4.1 {} unavailable, try again later", capitalised(ctx_.downstream())));
  queue_line(reply_text(*reply));  // downstream counts its own errors
  if (reply->positive()) {
    in_mail_ = true;
    sender_ = path->address;
  }
}

asio::awaitable<void> Session::rcpt(const std::string& args) {
  if (!in_mail_) co_return queue_reply("503 5.5.1 Error: need MAIL command");
  if (recipients_.size() >= smtp::kMaxRecipients) co_return queue_reply("452 4.5.3 Error: too many recipients");
  auto path = smtp::parse_path(args, "TO:");
  if (!path) co_return queue_reply("501 5.5.4 Syntax: RCPT TO:<address>: " + path.error());
  std::string line = "RCPT TO:<" + path->address + ">";
  for (const auto& p : path->parameters) {
    if (!known_rcpt_parameter(smtp::parameter_keyword(p)))
      co_return queue_reply("555 5.5.4 Unsupported option: " + printable(p, 40));
    if (!downstream_->supports("DSN"))
      co_return queue_reply(fmt::format("451 4.3.0 {} does not support DSN", capitalised(ctx_.downstream())));
    line += " " + p;
  }
  auto reply = co_await downstream_command(line);
  if (!reply) {
    log::warning("{} {}: {}", ctx_.downstream(), config_->relay.str(), reply.error());
    co_return queue_reply(fmt::format("451 4.4.2 Lost connection to the {}, try again later", ctx_.downstream()));
  }
  queue_line(reply_text(*reply));  // downstream counts its own errors
  if (reply->positive()) {
    recipients_.push_back(path->address);
    rcpt_lines_.push_back(line);
  }
}

// rset - end the transaction here and downstream (RSET there only when one is open, so a
// client's RSET probe of a cached connection costs no round trip).
asio::awaitable<void> Session::rset() {
  if ((in_mail_ || downstream_dirty_) && downstream_ && downstream_->usable()) {
    auto r = co_await downstream_->command("RSET");
    if (!r || r->code != 250) downstream_.reset();
    else downstream_dirty_ = false;
  }
  end_transaction();
}

void Session::end_transaction() {
  in_mail_ = false;
  retried_ = false;
  mail_line_.clear();
  rcpt_lines_.clear();
  recipients_.clear();
  xforward_lines_.clear();
  xforward_ident_.clear();
  xforward_addr_.clear();
  xforward_name_.clear();
  xforward_helo_.clear();
  sender_.clear();
}

asio::awaitable<void> run_session(net::Socket socket, RelayContext& context) {
  Session session(std::move(socket), context);
  co_await session.run();
}

}  // namespace postseal::relay
