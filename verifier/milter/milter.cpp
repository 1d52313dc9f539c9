// milter.cpp - the milter callbacks, socket spec, opening the socket (see milter.hpp).
#include "verifier/milter/milter.hpp"

#include "core/dmarc/auth_result.hpp"
#include "core/metrics/events.hpp"
#include "core/net/run_here.hpp"
#include "core/util/config.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"
#include "verifier/dmarc_check.hpp"
#include "verifier/inbound_context.hpp"
#include "verifier/greylist/answer.hpp"
#include "verifier/greylist/front_end.hpp"
#include "verifier/milter/context.hpp"
#include "verifier/milter/message_checks.hpp"
#include "verifier/milter/rcpt_greylist.hpp"
#include "verifier/milter/server.hpp"
#include "verifier/result_metrics.hpp"

#include <asio/co_spawn.hpp>
#include <fmt/format.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>


#include <atomic>
#include <charconv>
#include <chrono>
#include <exception>
#include <filesystem>

// GCC 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames at -O2 (where
// inlining of run_here's co_spawn changes with the size of this file).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace postseal::milter {
namespace {

Engine* g_engine = nullptr;  // set once before serve(); read-only afterwards
std::atomic<int> g_sessions{0};  // MTA connections with a Session (max_connections)

// kOverCapLogSeconds - at most one log line per this many seconds about refused connections.
constexpr std::int64_t kOverCapLogSeconds = 10;
// kMacros* - the macros asked of the MTA per stage (SETSYMLIST): Postfix then sends
// only these, in every stage listed here and none in the others.
constexpr const char* kMacrosEnvfrom = "i {auth_authen}";
constexpr const char* kMacrosQueueId = "i";


// rules_of - the rules of the session's transaction (taken at MAIL FROM; the current ones
// for a callback that comes without a MAIL FROM before it).
const verifier::InboundRules& rules_of(Session& s) {
  if (!s.rules) s.rules = g_engine->rules->get();
  return *s.rules;
}

Session* ensure_session(Context& ctx) { return &ctx.session(); }

// queue_id_of - Postfix's queue id (macro i) once it has one, else "NOQUEUE".
std::string queue_id_of(Context& ctx, const Session& s) {
  if (auto qid = ctx.macro("i"); qid && !qid->empty()) return postseal::printable(*qid, 64);
  return s.queue_id.empty() ? "NOQUEUE" : s.queue_id;
}

// note_over_cap - count a connection refused for max_connections; log the count at most once
// per kOverCapLogSeconds.
void note_over_cap() {
  static std::atomic<long> refused{0};
  static std::atomic<std::int64_t> last_log{0};
  ++refused;
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  auto prev = last_log.load();
  if (now - prev < kOverCapLogSeconds || !last_log.compare_exchange_strong(prev, now)) return;
  log::warning("milter: {} connection(s) tempfailed: more than milter.max_connections ({}) at once",
               refused.exchange(0), g_engine->max_connections);
}

// run_here - a callback's coroutine run to its end on this worker thread (core/net/run_here.hpp):
// what the caches answer needs no other thread; a DNS lookup goes to the resolver's strand on
// the service's io_context and comes back here; the decider, the caches and the verifiers are
// thread-safe. (Handing every call to the service's io thread and waiting on a future cost
// three thread wake-ups per call, two calls per message: futex calls per message 15.7 -> 3.8.)
using net::run_here;

// milter_text - untrusted text for a reply: printable, '%' doubled (sendmail formats it;
// libmilter passed it so, and so do we).
std::string milter_text(std::string_view text) {
  std::string out;
  for (char c : postseal::printable(text, 400)) {
    out.push_back(c);
    if (c == '%') out.push_back('%');
  }
  return out;
}

// set_reply - "550 5.7.23 text" (or a bare text with the fallback codes) onto the context.
void set_reply(Context& ctx, std::string_view reply, const char* code, const char* xcode) {
  std::string rcode = code, xc = xcode;
  std::string_view text = reply;
  if (reply.size() > 4 && reply[3] == ' ' && (reply[0] == '4' || reply[0] == '5')) {
    rcode = std::string(reply.substr(0, 3));
    text = reply.substr(4);
    auto sp = text.find(' ');
    if (sp != std::string_view::npos && sp > 0 && text[0] == rcode[0] && text[1] == '.') {
      xc = std::string(text.substr(0, sp));
      text = text.substr(sp + 1);
    }
  }
  auto t = milter_text(text);
  ctx.set_reply(rcode, xc, t);
}

Status guarded(const char* where, Context& ctx, auto&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    const auto& s = ctx.session();
    log::error("{}milter {}: {}", !s.queue_id.empty() ? s.queue_id + ": " : "", where, e.what());
    return Status::tempfail;
  }
}

// on_open - a negotiated connection: counted for milter.max_connections.
void on_open(Context&) { ++g_sessions; }

// wanted - what we ask of the MTA at negotiation (docs/milter-protocol.md): the changes we
// make, header values with their leading space, no DATA and no unknown commands (no callback
// for them), no answers awaited for HELO, header, end of header and body (their callbacks
// answer continue but for an internal error, which dialog.hpp gives as the next answer), and
// the macros per stage (what smfi_setsymlist asked for).
protocol::Wanted wanted() {
  namespace a = protocol::action;
  namespace p = protocol::step;
  protocol::Wanted w;
  w.actions = a::addhdrs | a::chghdrs | a::addrcpt | a::delrcpt | a::setsymlist | a::quarantine;
  w.steps = p::hdr_leadspc | p::nodata | p::nounknown | p::nr_helo | p::nr_hdr | p::nr_eoh | p::nr_body;
  w.macros.emplace_back(protocol::Stage::envfrom, kMacrosEnvfrom);
  for (auto stage : {protocol::Stage::envrcpt, protocol::Stage::data, protocol::Stage::eoh, protocol::Stage::eom})
    w.macros.emplace_back(stage, kMacrosQueueId);
  return w;
}

// lead_space - whether the MTA keeps the space after the colon (HDR_LEADSPC, asked for when
// offered: Postfix 2.6+ and sendmail 8.14+ offer it); a value without one is taken as is.
bool lead_space(Context& ctx) { return ctx.leading_space(); }

// client_address - the address text of a 'C' packet (a literal, "IPv6:" dropped), unmapped.
std::optional<asio::ip::address> client_address(const protocol::Connect& c) {
  if (c.family != '4' && c.family != '6') return std::nullopt;
  std::string_view text = c.address;
  if (text.size() > 5 && (text.starts_with("IPv6:") || text.starts_with("ipv6:"))) text.remove_prefix(5);
  std::error_code ec;
  auto a = asio::ip::make_address(std::string(text), ec);
  if (ec || (c.family == '4') != a.is_v4()) return std::nullopt;
  return net::unmapped(a);
}

Status on_connect(Context& ctx, const protocol::Connect& c) {
  return guarded("connect", ctx, [&] {
    auto* s = ensure_session(ctx);
    if (g_sessions.load() > g_engine->max_connections) {
      note_over_cap();
      return Status::tempfail;
    }
    s->client_name = client_name_from(c.hostname);
    auto daemon = ctx.macro("{daemon_name}");
    s->daemon_name = daemon ? postseal::printable(*daemon, kMaxDaemonNameOctets) : std::string{};
    s->client = client_address(c);
    return Status::continue_;
  });
}

Status on_helo(Context& ctx, std::string_view helo) {
  return guarded("helo", ctx, [&] {
    auto* s = ensure_session(ctx);
    s->helo = std::string(helo.substr(0, 255));
    return Status::continue_;
  });
}

// log_skipped - why SPF was not checked (an authenticated submission: with its login).
[[gnu::noinline]] void log_skipped(Context& ctx, const Session& s) {
  if (s.decision.skipped.empty()) return;
  log::info("{}: milter: {}{}", queue_id_of(ctx, s), s.decision.skipped,
            s.sasl_username.empty() ? "" : " (login " + s.sasl_username + ")");
}

Status on_envfrom(Context& ctx, std::span<const std::string_view> argv) {
  return guarded("envfrom", ctx, [&] {
    auto* s = ensure_session(ctx);
    s->reset_message();
    s->rules = g_engine->rules->get();  // the rules in force now, to the end of this transaction
    const auto& p = s->rules->milter;
    s->client_whitelisted = (s->client && p.whitelist_ip.matches(*s->client)) ||
                            host_listed(s->client_name, p.whitelist_ptr);
    s->sender = strip_angle(argv.empty() ? std::string_view{} : argv[0].substr(0, 512));
    if (auto qid = ctx.macro("i")) s->queue_id = postseal::printable(*qid, 64);
    if (auto login = ctx.macro("{auth_authen}")) s->sasl_username = postseal::printable(*login, kMaxLoginOctets);
    if (!s->sasl_username.empty())
      log::debug("{}: milter: SASL login {}", queue_id_of(ctx, *s), s->sasl_username);
    if (const auto* signing = s->rules->signing.get(); signing && signing->signs()) {
      s->internal = internal_reason(*signing, Origin{s->client, s->sasl_username, s->daemon_name});
      if (s->internal) {
        log::debug("{}: milter: internal mail ({}): signing, not checking", queue_id_of(ctx, *s), *s->internal);
        return Status::continue_;
      }
      if (!signing->verifies()) return Status::accept;  // milter.mode = sign: external mail untouched
    }
    s->sender_whitelisted = address_listed(s->sender, p.whitelist_from);
    if (s->client_whitelisted || s->sender_whitelisted || !s->client) return Status::continue_;
    decision::Transaction t{*s->client, s->client_name, s->helo, s->sender, s->queue_id, s->sasl_username};
    auto* decider = s->rules->decider.get();  // s->rules holds it past run_here
    s->decision = run_here([decider, t]() -> asio::awaitable<decision::Decision> {
      co_return co_await decider->decide(t);
    });
    s->decided = true;
    log_skipped(ctx, *s);
    return Status::continue_;
  });
}

// greylist_rcpt - greylisting of one recipient (rcpt_greylist.hpp): the 450 4.7.1 answer for
// a new triplet, else nothing (the recipient goes on; X-Greylist noted for end of message).
std::optional<Status> greylist_rcpt(Context& ctx, Session& s, const std::string& rcpt) {
  const auto& rules = rules_of(s);
  auto* service = rules.greylisting.get();
  if (service == nullptr || !service->greylister || !s.client) return std::nullopt;
  const auto spf_pass = greylist::spf_pass_domain(s.decision, s.sender);
  greylist::Request request{*s.client, s.client_name, s.sender, rcpt, s.sasl_username, spf_pass};
  auto outcome = check_within(*g_engine->io, *service->greylister, request,
                              std::chrono::milliseconds(service->state.timeout_ms));
  if (!outcome) return std::nullopt;
  const bool test_only = rules.decider->options().test_only;
  auto step = rcpt_greylist(*outcome, *service, test_only, s.greylist_delayed.has_value());
  greylist::log_outcome(queue_id_of(ctx, s), request, *outcome, step.answer);
  if (step.tempfail) {
    set_reply(ctx, step.reply, "450", "4.7.1");
    return Status::tempfail;
  }
  if (step.add_header) s.greylist_delayed = outcome->seconds;
  return std::nullopt;
}

Status on_envrcpt(Context& ctx, std::span<const std::string_view> argv) {
  return guarded("envrcpt", ctx, [&] {
    auto* s = ensure_session(ctx);
    if (s->internal) return Status::continue_;  // signed, not checked
    auto rcpt = strip_angle(argv.empty() ? std::string_view{} : argv[0].substr(0, 512));
    const auto& p = rules_of(*s).milter;
    bool listed = address_listed(rcpt, p.whitelist_to);
    if (s->decided && !listed) {
      if (s->decision.verdict == decision::Verdict::reject && p.refuse_fail) {
        set_reply(ctx, s->decision.reply, "550", "5.7.23");
        log::info("{}: milter reject: RCPT {}: {}", queue_id_of(ctx, *s),
                  postseal::printable(rcpt), postseal::printable(s->decision.reply));
        return Status::reject;
      }
      if (s->decision.verdict == decision::Verdict::defer_if_permit) {
        set_reply(ctx, s->decision.reply, "450", "4.7.1");
        return Status::tempfail;
      }
    }
    if (auto deferred = greylist_rcpt(ctx, *s, rcpt)) return *deferred;
    // whitelist_to recipients get the message as addressed; quarantine moves only the others
    if (!listed && s->recipients.size() < smtp::kMaxRecipients) s->recipients.push_back(std::move(rcpt));
    return Status::continue_;
  });
}

Status on_header(Context& ctx, std::string_view name, std::string_view value) {
  return guarded("header", ctx, [&] {
    auto* s = ensure_session(ctx);
    std::string_view v = value;
    add_mta_field(*s, name, v, lead_space(ctx) && !v.empty() && (v[0] == ' ' || v[0] == '\t'),
                  rules_of(*s).authserv_id);
    return Status::continue_;
  });
}

Status on_eoh(Context& ctx) {
  return guarded("eoh", ctx, [&] {
    auto* s = ensure_session(ctx);
    if (!s->header_problem.empty()) return Status::continue_;
    if (s->internal) {
      s->sign = std::make_unique<signer::SignStep>(rules_of(*s).signing->table, s->fields, *g_engine->clock);
      return Status::continue_;
    }
    s->dkim.emplace(rules_of(*s).dkim, *g_engine->clock);
    s->dkim->headers(s->fields);
    s->dk.emplace(*g_engine->clock);
    s->dk->headers(s->fields);
    return Status::continue_;
  });
}

Status on_body(Context& ctx, std::string_view data) {
  return guarded("body", ctx, [&] {
    auto* s = ensure_session(ctx);
    if (s->sign) s->sign->body(data);
    if (s->dkim) s->dkim->body(data);
    if (s->dk) s->dk->body(data);
    return Status::continue_;
  });
}

// tag_subject - prefix the Subject (or add one) with the tag.
void tag_subject(Context& ctx, const Session& s, const std::string& tag) {
  auto edit = subject_edit(s.subject, tag);
  if (edit.replace)
    ctx.change_header(1, "Subject", edit.value);
  else
    ctx.add_header("Subject", edit.value);
}

// quarantine - the recipients not in whitelist_to replaced by the quarantine mailbox (none
// left to move: nothing changes).
void quarantine(Context& ctx, const Session& s, const std::string& mailbox) {
  if (s.recipients.empty()) return;
  for (const auto& r : s.recipients) {
    std::string a = "<" + r + ">";
    ctx.delete_recipient(a);
  }
  std::string q = "<" + mailbox + ">";
  ctx.add_recipient(q);
  log::info("{}: milter: SPF {}: quarantined to {}", s.queue_id,
            s.decision.mail_from.checked ? spf::to_string(s.decision.mail_from.outcome.result)
                                         : spf::to_string(s.decision.helo.outcome.result),
            postseal::printable(mailbox));
}

// run_message_checks - DKIM, DomainKeys and DMARC of the message in one coroutine
// (message_checks.hpp); none when there is nothing to check.
MessageChecks run_message_checks(Session& s) {
  const auto* check = rules_of(s).dmarc.get();
  if (!has_message_checks(s, check)) return {};
  auto* session = &s;
  auto* resolver = g_engine->resolver;
  return run_here(
      [session, check, resolver]() { return check_message(*session, check, *resolver); });
}

// act_on_dmarc - reject (550 5.7.1), defer (451 4.7.1) or hold (quarantine) as the verdict's
// action says; the milter's answer when the message ends here.
std::optional<Status> act_on_dmarc(Context& ctx, const Session& s, const dmarc::Verdict& v) {
  switch (v.action) {
    case dmarc::Action::accept: return std::nullopt;
    case dmarc::Action::quarantine: {
      std::string reason = "DMARC policy quarantine for " + v.header_from;
      ctx.quarantine(reason);
      log::info("{}: milter: {}: held", s.queue_id, reason);
      return std::nullopt;
    }
    case dmarc::Action::reject:
      set_reply(ctx, dmarc::reject_reply(v), "550", "5.7.1");
      log::info("{}: milter reject: {}", s.queue_id, dmarc::reject_reply(v));
      return Status::reject;
    case dmarc::Action::defer:
      set_reply(ctx, dmarc::defer_reply(v), "451", "4.7.1");
      log::info("{}: milter defer: {}", s.queue_id, dmarc::defer_reply(v));
      return Status::tempfail;
  }
  return std::nullopt;
}

// add_x_greylist - "X-Greylist: delayed N seconds by postseal-VERSION at HOST; DATE" on top.
void add_x_greylist(Context& ctx, Session& s, std::int64_t seconds) {
  const auto* service = rules_of(s).greylisting.get();
  auto value =
      " " + greylist::x_greylist_value(seconds, service->host, service->greylister->clock().now());
  std::string name(greylist::kXGreylist);
  ctx.insert_header(0, name, value);
}

// insert_signature - the signer's fields on top of the header, in the signer's order.
bool insert_signature(Context& ctx, const std::string& text) {
  auto fields = split_fields(text);
  if (!fields) return false;
  for (auto f = fields->rbegin(); f != fields->rend(); ++f)
    if (!ctx.insert_header(0, f->name, f->value)) return false;
  return true;
}

// refuse - answer `reply` ("552 5.3.4 text") for internal mail, logged.
Status refuse(Context& ctx, Session& s, std::string_view reply) {
  set_reply(ctx, reply, "451", "4.7.0");
  log::info("{}: milter {}: {} ({})", s.queue_id, reply[0] == '5' ? "reject" : "defer", reply, *s.internal);
  s.reset_message();
  return reply[0] == '5' ? Status::reject : Status::tempfail;
}

// sign_message - end of an internal message: the signature fields added (and logged as the
// content filter and OpenDKIM log them), passed unsigned, or refused.
Status sign_message(Context& ctx, Session& s) {
  if (!s.header_problem.empty() || !s.sign) metrics::count_signed({}, "deferred");
  if (!s.header_problem.empty()) return refuse(ctx, s, sign_refusal(s.header_problem));
  if (!s.sign) return refuse(ctx, s, signer::kMustSignReply);
  const std::string text = s.sign->finish(s.fields);
  if (s.sign->decision() == signer::SignDecision::tempfail) {
    signer::count_signed(*s.sign);
    return refuse(ctx, s, signer::kMustSignReply);
  }
  if (s.sign->decision() == signer::SignDecision::sign && !insert_signature(ctx, text)) {
    log::error("{}: milter: the MTA did not take the signature fields", s.queue_id);
    metrics::count_signed(s.sign->signing_domain(), "deferred");
    return refuse(ctx, s, signer::kMustSignReply);
  }
  signer::count_signed(*s.sign);
  for (const auto& line : s.sign->opendkim_lines()) log::info("{}: {}", s.queue_id, line);
  log::info("{}: milter: {} ({})", s.queue_id, s.sign->summary(), *s.internal);
  s.reset_message();
  return Status::continue_;
}

Status on_eom(Context& ctx) {
  return guarded("eom", ctx, [&] {
    auto* s = ensure_session(ctx);
    s->queue_id = queue_id_of(ctx, *s);
    if (s->internal) return sign_message(ctx, *s);
    auto [dkim, dk, verdict] = run_message_checks(*s);
    const auto& rules = rules_of(*s);
    const auto& id = rules.authserv_id;
    for (int n : forged_occurrences(*s)) {
      ctx.change_header(static_cast<std::uint32_t>(n), "Authentication-Results", std::nullopt);
      log::info("{}: milter: removed a forged Authentication-Results field claiming {}", s->queue_id,
                postseal::printable(id));
    }
    const auto& p = rules.milter;
    if (p.add_header) {
      auto spf = received_spf_value(*s, id);
      if (!spf.empty()) ctx.insert_header(0, "Received-SPF", spf);
    }
    if (s->greylist_delayed) add_x_greylist(ctx, *s, *s->greylist_delayed);
    verifier::count_results(dkim, verdict);
    auto ar = auth_results_value(*s, id, dkim, dk, verdict);
    ctx.insert_header(0, "Authentication-Results", ar);
    log::info("{}: milter: {}", s->queue_id, results_log_text(ar));
    if (verdict && g_engine->dmarc_recording && rules_of(*s).dmarc)
      record_dmarc(*s, dkim, *verdict, *rules_of(*s).dmarc, *g_engine->dmarc_recording);
    if (verdict && g_engine->failure_sender)
      submit_failure_reports(*s, dkim, *verdict, id, g_engine->clock->now(), *g_engine->failure_sender);
    if (verdict) {
      if (auto done = act_on_dmarc(ctx, *s, *verdict)) {
        s->reset_message();
        return *done;
      }
    }
    if (spf_flagged(*s)) {
      if (p.tag_subject) tag_subject(ctx, *s, p.tag);
      if (!p.quarantine.empty()) quarantine(ctx, *s, p.quarantine);
    }
    s->reset_message();
    return Status::continue_;
  });
}

void on_abort(Context& ctx) { ctx.session().reset_message(); }

// on_close - the connection's end (its Session goes after this).
void on_close(Context&) { --g_sessions; }

}  // namespace

std::expected<std::string, std::string> libmilter_spec(std::string_view text, unsigned short& port) {
  port = 0;
  if (text.starts_with("unix:") || text.starts_with("local:")) {
    if (text.find('/') == std::string_view::npos) return std::unexpected("unix socket needs a path");
    return std::string(text);
  }
  std::string_view family = "inet";
  if (text.starts_with("inet6:")) {
    family = "inet6";
    text.remove_prefix(6);
  } else if (text.starts_with("inet:")) {
    text.remove_prefix(5);
  }
  std::string_view port_text, host;
  if (auto at = text.find('@'); at != std::string_view::npos) {
    port_text = text.substr(0, at);
    host = text.substr(at + 1);
  } else if (auto colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  } else {
    return std::unexpected(fmt::format("'{}' is not host:port, inet:PORT@HOST or unix:/path", postseal::printable(text)));
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || value == 0 || value > 65535)
    return std::unexpected(fmt::format("bad port '{}'", postseal::printable(port_text)));
  if (host.empty()) return std::unexpected("no host");
  port = static_cast<unsigned short>(value);
  return fmt::format("{}:{}@{}", family, value, host);
}

namespace {

Server* g_server = nullptr;  // made by open(), lives to the end of the process

// callbacks - the table the server runs (never destroyed: workers may outlive main()).
const Callbacks& callbacks() {
  static const Callbacks& table = *[] {
    auto* made = new Callbacks;
    auto& c = *made;
    c.open = on_open;
    c.connect = on_connect;
    c.helo = on_helo;
    c.envfrom = on_envfrom;
    c.envrcpt = on_envrcpt;
    c.header = on_header;
    c.eoh = on_eoh;
    c.body = on_body;
    c.eom = on_eom;
    c.abort = on_abort;
    c.close = on_close;
    c.wanted = wanted();
    return made;
  }();
  return table;
}

// listen_endpoint - libmilter_spec's form as a core/net endpoint.
std::expected<net::Endpoint, std::string> listen_endpoint(std::string_view spec) {
  if (auto path = socket_path(spec); !path.empty()) {
    auto dir = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!dir.empty() && !std::filesystem::is_directory(dir, ec))
      return std::unexpected(fmt::format("directory {} does not exist", dir.string()));
    return net::parse_endpoint("unix:" + path);
  }
  const bool v6 = spec.starts_with("inet6:");
  spec.remove_prefix(v6 ? 6 : 5);
  const auto at = spec.find('@');
  if (at == std::string_view::npos) return std::unexpected("no host");
  const auto host = spec.substr(at + 1), port = spec.substr(0, at);
  const bool literal_v6 = host.find(':') != std::string_view::npos;
  return net::parse_endpoint(fmt::format("{}{}{}:{}", literal_v6 ? "[" : "", host, literal_v6 ? "]" : "", port));
}

}  // namespace

std::expected<void, std::string> open(const std::string& spec, Engine& engine) {
  g_engine = &engine;
  auto endpoint = listen_endpoint(spec);
  if (!endpoint) return std::unexpected(endpoint.error());
  auto* server = new Server(callbacks(), std::chrono::seconds(engine.timeout_seconds),
                            static_cast<std::size_t>(engine.max_connections));
  try {
    server->listen(*endpoint, endpoint->kind == net::Endpoint::Kind::unix_socket ? &engine.socket : nullptr);
  } catch (const std::exception& e) {
    delete server;
    return std::unexpected(e.what());
  }
  g_server = server;
  return {};
}

int serve() {
  if (g_server == nullptr) return 1;
  g_server->run();
  return 0;
}

void stop() {
  if (g_server != nullptr) g_server->stop();
}

}  // namespace postseal::milter
