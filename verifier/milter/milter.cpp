// milter.cpp - libmilter callbacks, socket spec, opening the socket (see milter.hpp).
#include "verifier/milter/milter.hpp"

#include "core/dmarc/auth_result.hpp"
#include "core/metrics/events.hpp"
#include "core/util/config.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"
#include "verifier/dmarc_check.hpp"
#include "verifier/inbound_context.hpp"
#include "verifier/greylist/answer.hpp"
#include "verifier/greylist/front_end.hpp"
#include "verifier/milter/rcpt_greylist.hpp"
#include "verifier/result_metrics.hpp"

#include <asio/co_spawn.hpp>
#include <asio/use_future.hpp>
#include <fmt/format.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <libmilter/mfapi.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <exception>
#include <filesystem>

// GCC 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames at -O2 (where
// inlining of run_on_io's co_spawn changes with the size of this file).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace postseal::milter {
namespace {

Engine* g_engine = nullptr;  // set once before smfi_main(); read-only afterwards
std::atomic<int> g_sessions{0};  // MTA connections with a Session (max_connections)

// kOverCapLogSeconds - at most one log line per this many seconds about refused connections.
constexpr std::int64_t kOverCapLogSeconds = 10;
// kMacros* - the macros asked of the MTA per stage (smfi_setsymlist): Postfix then sends
// only these, in every stage listed here and none in the others.
constexpr const char* kMacrosEnvfrom = "i {auth_authen}";
constexpr const char* kMacrosQueueId = "i";

Session* session_of(SMFICTX* ctx) { return static_cast<Session*>(smfi_getpriv(ctx)); }

// rules_of - the rules of the session's transaction (taken at MAIL FROM; the current ones
// for a callback that comes without a MAIL FROM before it).
const verifier::InboundRules& rules_of(Session& s) {
  if (!s.rules) s.rules = g_engine->rules->get();
  return *s.rules;
}

Session* ensure_session(SMFICTX* ctx) {
  auto* s = session_of(ctx);
  if (s == nullptr) {
    s = new Session();
    smfi_setpriv(ctx, s);
    ++g_sessions;
  }
  return s;
}

// queue_id_of - Postfix's queue id (macro i) once it has one, else "NOQUEUE".
std::string queue_id_of(SMFICTX* ctx, const Session& s) {
  if (const char* qid = smfi_getsymval(ctx, const_cast<char*>("i")); qid != nullptr && *qid != '\0')
    return postseal::printable(qid, 64);
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

// run_on_io - run a coroutine on the service's io_context and wait for its value.
template <typename F>
auto run_on_io(F&& make) {
  return asio::co_spawn(*g_engine->io, std::forward<F>(make), asio::use_future).get();
}

// milter_text - untrusted text for smfi_setreply: printable, '%' doubled (libmilter formats it).
std::string milter_text(std::string_view text) {
  std::string out;
  for (char c : postseal::printable(text, 400)) {
    out.push_back(c);
    if (c == '%') out.push_back('%');
  }
  return out;
}

// set_reply - "550 5.7.23 text" (or a bare text with the fallback codes) onto the context.
void set_reply(SMFICTX* ctx, std::string_view reply, const char* code, const char* xcode) {
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
  smfi_setreply(ctx, rcode.data(), xc.data(), t.data());
}

sfsistat guarded(const char* where, SMFICTX* ctx, auto&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    auto* s = session_of(ctx);
    log::error("{}milter {}: {}", s && !s->queue_id.empty() ? s->queue_id + ": " : "", where, e.what());
    return SMFIS_TEMPFAIL;
  }
}

sfsistat on_negotiate(SMFICTX* ctx, unsigned long f0, unsigned long f1, unsigned long, unsigned long,
                      unsigned long* pf0, unsigned long* pf1, unsigned long* pf2, unsigned long* pf3) {
  ensure_session(ctx);
  *pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_ADDRCPT | SMFIF_DELRCPT | SMFIF_SETSYMLIST |
               SMFIF_QUARANTINE);
  *pf1 = f1 & SMFIP_HDR_LEADSPC;
  *pf2 = 0;
  *pf3 = 0;
  if ((*pf0 & SMFIF_SETSYMLIST) != 0) {
    smfi_setsymlist(ctx, SMFIM_ENVFROM, const_cast<char*>(kMacrosEnvfrom));
    for (int stage : {SMFIM_ENVRCPT, SMFIM_DATA, SMFIM_EOH, SMFIM_EOM})
      smfi_setsymlist(ctx, stage, const_cast<char*>(kMacrosQueueId));
  }
  return SMFIS_CONTINUE;
}

bool lead_space(SMFICTX* ctx) {
  // libmilter keeps the negotiated protocol in the context; we asked for HDR_LEADSPC when
  // offered, and Postfix (2.6+) and sendmail 8.14+ offer it. The value starts with the
  // space then; a value without one is taken as is.
  (void)ctx;
  return true;
}

sfsistat on_connect(SMFICTX* ctx, char* hostname, _SOCK_ADDR* addr) {
  return guarded("connect", ctx, [&] {
    auto* s = ensure_session(ctx);
    if (g_sessions.load() > g_engine->max_connections) {
      note_over_cap();
      return SMFIS_TEMPFAIL;
    }
    s->client_name = client_name_from(hostname ? hostname : "");
    const char* daemon = smfi_getsymval(ctx, const_cast<char*>("{daemon_name}"));
    s->daemon_name = daemon ? postseal::printable(daemon, kMaxDaemonNameOctets) : std::string{};
    s->client.reset();
    if (addr != nullptr && addr->sa_family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
      s->client = asio::ip::address_v4(ntohl(in->sin_addr.s_addr));
    } else if (addr != nullptr && addr->sa_family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
      asio::ip::address_v6::bytes_type b;
      std::copy(std::begin(in6->sin6_addr.s6_addr), std::end(in6->sin6_addr.s6_addr), b.begin());
      s->client = net::unmapped(asio::ip::address_v6(b));
    }
    return SMFIS_CONTINUE;
  });
}

sfsistat on_helo(SMFICTX* ctx, char* helo) {
  return guarded("helo", ctx, [&] {
    auto* s = ensure_session(ctx);
    s->helo = std::string(helo ? std::string_view(helo).substr(0, 255) : std::string_view{});
    return SMFIS_CONTINUE;
  });
}

// log_skipped - why SPF was not checked (an authenticated submission: with its login).
[[gnu::noinline]] void log_skipped(SMFICTX* ctx, const Session& s) {
  if (s.decision.skipped.empty()) return;
  log::info("{}: milter: {}{}", queue_id_of(ctx, s), s.decision.skipped,
            s.sasl_username.empty() ? "" : " (login " + s.sasl_username + ")");
}

sfsistat on_envfrom(SMFICTX* ctx, char** argv) {
  return guarded("envfrom", ctx, [&] {
    auto* s = ensure_session(ctx);
    s->reset_message();
    s->rules = g_engine->rules->get();  // the rules in force now, to the end of this transaction
    const auto& p = s->rules->milter;
    s->client_whitelisted = (s->client && p.whitelist_ip.matches(*s->client)) ||
                            host_listed(s->client_name, p.whitelist_ptr);
    s->sender = strip_angle(argv && argv[0] ? std::string_view(argv[0]).substr(0, 512) : std::string_view{});
    if (const char* qid = smfi_getsymval(ctx, const_cast<char*>("i"))) s->queue_id = postseal::printable(qid, 64);
    if (const char* login = smfi_getsymval(ctx, const_cast<char*>("{auth_authen}")))
      s->sasl_username = postseal::printable(login, kMaxLoginOctets);
    if (!s->sasl_username.empty())
      log::debug("{}: milter: SASL login {}", queue_id_of(ctx, *s), s->sasl_username);
    if (const auto* signing = s->rules->signing.get(); signing && signing->signs()) {
      s->internal = internal_reason(*signing, Origin{s->client, s->sasl_username, s->daemon_name});
      if (s->internal) {
        log::debug("{}: milter: internal mail ({}): signing, not checking", queue_id_of(ctx, *s), *s->internal);
        return SMFIS_CONTINUE;
      }
      if (!signing->verifies()) return SMFIS_ACCEPT;  // milter.mode = sign: external mail untouched
    }
    s->sender_whitelisted = address_listed(s->sender, p.whitelist_from);
    if (s->client_whitelisted || s->sender_whitelisted || !s->client) return SMFIS_CONTINUE;
    decision::Transaction t{*s->client, s->client_name, s->helo, s->sender, s->queue_id, s->sasl_username};
    auto* decider = s->rules->decider.get();  // s->rules holds it past run_on_io
    s->decision = run_on_io([decider, t]() -> asio::awaitable<decision::Decision> {
      co_return co_await decider->decide(t);
    });
    s->decided = true;
    log_skipped(ctx, *s);
    return SMFIS_CONTINUE;
  });
}

// greylist_rcpt - greylisting of one recipient (rcpt_greylist.hpp): the 450 4.7.1 answer for
// a new triplet, else nothing (the recipient goes on; X-Greylist noted for end of message).
std::optional<sfsistat> greylist_rcpt(SMFICTX* ctx, Session& s, const std::string& rcpt) {
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
    return SMFIS_TEMPFAIL;
  }
  if (step.add_header) s.greylist_delayed = outcome->seconds;
  return std::nullopt;
}

sfsistat on_envrcpt(SMFICTX* ctx, char** argv) {
  return guarded("envrcpt", ctx, [&] {
    auto* s = ensure_session(ctx);
    if (s->internal) return SMFIS_CONTINUE;  // signed, not checked
    auto rcpt = strip_angle(argv && argv[0] ? std::string_view(argv[0]).substr(0, 512) : std::string_view{});
    const auto& p = rules_of(*s).milter;
    bool listed = address_listed(rcpt, p.whitelist_to);
    if (s->decided && !listed) {
      if (s->decision.verdict == decision::Verdict::reject && p.refuse_fail) {
        set_reply(ctx, s->decision.reply, "550", "5.7.23");
        log::info("{}: milter reject: RCPT {}: {}", queue_id_of(ctx, *s),
                  postseal::printable(rcpt), postseal::printable(s->decision.reply));
        return SMFIS_REJECT;
      }
      if (s->decision.verdict == decision::Verdict::defer_if_permit) {
        set_reply(ctx, s->decision.reply, "450", "4.7.1");
        return SMFIS_TEMPFAIL;
      }
    }
    if (auto deferred = greylist_rcpt(ctx, *s, rcpt)) return *deferred;
    // whitelist_to recipients get the message as addressed; quarantine moves only the others
    if (!listed && s->recipients.size() < smtp::kMaxRecipients) s->recipients.push_back(std::move(rcpt));
    return SMFIS_CONTINUE;
  });
}

sfsistat on_header(SMFICTX* ctx, char* name, char* value) {
  return guarded("header", ctx, [&] {
    auto* s = ensure_session(ctx);
    std::string_view v = value ? value : "";
    add_mta_field(*s, name ? name : "", v, lead_space(ctx) && !v.empty() && (v[0] == ' ' || v[0] == '\t'),
                  rules_of(*s).authserv_id);
    return SMFIS_CONTINUE;
  });
}

sfsistat on_eoh(SMFICTX* ctx) {
  return guarded("eoh", ctx, [&] {
    auto* s = ensure_session(ctx);
    if (!s->header_problem.empty()) return SMFIS_CONTINUE;
    if (s->internal) {
      s->sign = std::make_unique<signer::SignStep>(rules_of(*s).signing->table, s->fields, *g_engine->clock);
      return SMFIS_CONTINUE;
    }
    s->dkim.emplace(rules_of(*s).dkim, *g_engine->clock);
    s->dkim->headers(s->fields);
    s->dk.emplace(*g_engine->clock);
    s->dk->headers(s->fields);
    return SMFIS_CONTINUE;
  });
}

sfsistat on_body(SMFICTX* ctx, unsigned char* chunk, size_t len) {
  return guarded("body", ctx, [&] {
    auto* s = ensure_session(ctx);
    std::string_view data(reinterpret_cast<const char*>(chunk), chunk ? len : 0);
    if (s->sign) s->sign->body(data);
    if (s->dkim) s->dkim->body(data);
    if (s->dk) s->dk->body(data);
    return SMFIS_CONTINUE;
  });
}

// tag_subject - prefix the Subject (or add one) with the tag.
void tag_subject(SMFICTX* ctx, const Session& s, const std::string& tag) {
  auto edit = subject_edit(s.subject, tag);
  if (edit.replace)
    smfi_chgheader(ctx, const_cast<char*>("Subject"), 1, edit.value.data());
  else
    smfi_addheader(ctx, const_cast<char*>("Subject"), edit.value.data());
}

// quarantine - the recipients not in whitelist_to replaced by the quarantine mailbox (none
// left to move: nothing changes).
void quarantine(SMFICTX* ctx, const Session& s, const std::string& mailbox) {
  if (s.recipients.empty()) return;
  for (const auto& r : s.recipients) {
    std::string a = "<" + r + ">";
    smfi_delrcpt(ctx, a.data());
  }
  std::string q = "<" + mailbox + ">";
  smfi_addrcpt(ctx, q.data());
  log::info("{}: milter: SPF {}: quarantined to {}", s.queue_id,
            s.decision.mail_from.checked ? spf::to_string(s.decision.mail_from.outcome.result)
                                         : spf::to_string(s.decision.helo.outcome.result),
            postseal::printable(mailbox));
}

// evaluate_dmarc - the DMARC verdict of the message when dmarc.enable is on and the header
// block was read whole.
std::optional<dmarc::Verdict> evaluate_dmarc(Session& s, const std::vector<dkim::SignatureResult>& dkim) {
  const auto* check = rules_of(s).dmarc.get();
  if (check == nullptr || !s.header_problem.empty()) return std::nullopt;
  auto* resolver = g_engine->resolver;
  auto message = dmarc_message(s, dkim);
  return run_on_io([check, resolver, message]() { return verifier::evaluate_dmarc(*check, *resolver, message); });
}

// act_on_dmarc - reject (550 5.7.1), defer (451 4.7.1) or hold (smfi_quarantine) as the verdict's
// action says; the milter's answer when the message ends here.
std::optional<sfsistat> act_on_dmarc(SMFICTX* ctx, const Session& s, const dmarc::Verdict& v) {
  switch (v.action) {
    case dmarc::Action::accept: return std::nullopt;
    case dmarc::Action::quarantine: {
      std::string reason = "DMARC policy quarantine for " + v.header_from;
      smfi_quarantine(ctx, reason.data());
      log::info("{}: milter: {}: held", s.queue_id, reason);
      return std::nullopt;
    }
    case dmarc::Action::reject:
      set_reply(ctx, dmarc::reject_reply(v), "550", "5.7.1");
      log::info("{}: milter reject: {}", s.queue_id, dmarc::reject_reply(v));
      return SMFIS_REJECT;
    case dmarc::Action::defer:
      set_reply(ctx, dmarc::defer_reply(v), "451", "4.7.1");
      log::info("{}: milter defer: {}", s.queue_id, dmarc::defer_reply(v));
      return SMFIS_TEMPFAIL;
  }
  return std::nullopt;
}

// add_x_greylist - "X-Greylist: delayed N seconds by postseal-VERSION at HOST; DATE" on top.
void add_x_greylist(SMFICTX* ctx, Session& s, std::int64_t seconds) {
  const auto* service = rules_of(s).greylisting.get();
  auto value =
      " " + greylist::x_greylist_value(seconds, service->host, service->greylister->clock().now());
  std::string name(greylist::kXGreylist);
  smfi_insheader(ctx, 0, name.data(), value.data());
}

// insert_signature - the signer's fields on top of the header, in the signer's order.
bool insert_signature(SMFICTX* ctx, const std::string& text) {
  auto fields = split_fields(text);
  if (!fields) return false;
  for (auto f = fields->rbegin(); f != fields->rend(); ++f)
    if (smfi_insheader(ctx, 0, f->name.data(), f->value.data()) != MI_SUCCESS) return false;
  return true;
}

// refuse - answer `reply` ("552 5.3.4 text") for internal mail, logged.
sfsistat refuse(SMFICTX* ctx, Session& s, std::string_view reply) {
  set_reply(ctx, reply, "451", "4.7.0");
  log::info("{}: milter {}: {} ({})", s.queue_id, reply[0] == '5' ? "reject" : "defer", reply, *s.internal);
  s.reset_message();
  return reply[0] == '5' ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

// sign_message - end of an internal message: the signature fields added (and logged as the
// content filter and OpenDKIM log them), passed unsigned, or refused.
sfsistat sign_message(SMFICTX* ctx, Session& s) {
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
  return SMFIS_CONTINUE;
}

sfsistat on_eom(SMFICTX* ctx) {
  return guarded("eom", ctx, [&] {
    auto* s = ensure_session(ctx);
    s->queue_id = queue_id_of(ctx, *s);
    if (s->internal) return sign_message(ctx, *s);
    std::vector<dkim::SignatureResult> dkim;
    std::optional<domainkeys::DkResult> dk;
    auto* resolver = g_engine->resolver;
    if (s->dkim) {
      auto* v = &*s->dkim;
      dkim = run_on_io([v, resolver]() { return v->finish(*resolver); });
    }
    if (s->dk) {
      auto* v = &*s->dk;
      dk = run_on_io([v, resolver]() { return v->finish(*resolver); });
    }
    const auto& rules = rules_of(*s);
    const auto& id = rules.authserv_id;
    for (int n : forged_occurrences(*s)) {
      smfi_chgheader(ctx, const_cast<char*>("Authentication-Results"), n, nullptr);
      log::info("{}: milter: removed a forged Authentication-Results field claiming {}", s->queue_id,
                postseal::printable(id));
    }
    const auto& p = rules.milter;
    if (p.add_header) {
      auto spf = received_spf_value(*s, id);
      if (!spf.empty()) smfi_insheader(ctx, 0, const_cast<char*>("Received-SPF"), spf.data());
    }
    if (s->greylist_delayed) add_x_greylist(ctx, *s, *s->greylist_delayed);
    auto verdict = evaluate_dmarc(*s, dkim);
    verifier::count_results(dkim, verdict);
    auto ar = auth_results_value(*s, id, dkim, dk, verdict);
    smfi_insheader(ctx, 0, const_cast<char*>("Authentication-Results"), ar.data());
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
    return SMFIS_CONTINUE;
  });
}

sfsistat on_abort(SMFICTX* ctx) {
  if (auto* s = session_of(ctx)) s->reset_message();
  return SMFIS_CONTINUE;
}

sfsistat on_close(SMFICTX* ctx) {
  if (auto* s = session_of(ctx)) {
    delete s;
    --g_sessions;
  }
  smfi_setpriv(ctx, nullptr);
  return SMFIS_CONTINUE;
}

// open_unix_socket - libmilter binds the socket owner-only (net::kBindUmask), then it gets its
// owner, group and mode (net::secure_socket).
std::expected<void, std::string> open_unix_socket(const std::string& path, const SocketOptions& options) {
  auto dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty() && !std::filesystem::is_directory(dir, ec))
    return std::unexpected(fmt::format("directory {} does not exist", dir.string()));
  auto old = ::umask(net::kBindUmask);
  bool opened = smfi_opensocket(true) == MI_SUCCESS;
  ::umask(old);
  if (!opened) return std::unexpected(fmt::format("cannot create {} (see the libmilter log line)", path));
  return secure_socket(path, options);
}

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

std::expected<void, std::string> open(const std::string& spec, Engine& engine) {
  g_engine = &engine;
  smfiDesc desc{};
  desc.xxfi_name = const_cast<char*>("postseal");
  desc.xxfi_version = SMFI_VERSION;
  desc.xxfi_flags =
      SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_ADDRCPT | SMFIF_DELRCPT | SMFIF_SETSYMLIST | SMFIF_QUARANTINE;
  desc.xxfi_connect = on_connect;
  desc.xxfi_helo = on_helo;
  desc.xxfi_envfrom = on_envfrom;
  desc.xxfi_envrcpt = on_envrcpt;
  desc.xxfi_header = on_header;
  desc.xxfi_eoh = on_eoh;
  desc.xxfi_body = on_body;
  desc.xxfi_eom = on_eom;
  desc.xxfi_abort = on_abort;
  desc.xxfi_close = on_close;
  desc.xxfi_negotiate = on_negotiate;
  if (smfi_setconn(const_cast<char*>(spec.c_str())) != MI_SUCCESS) return std::unexpected("libmilter refuses the spec");
  if (smfi_settimeout(engine.timeout_seconds) != MI_SUCCESS) return std::unexpected("libmilter refuses the timeout");
  smfi_setmaxdatasize(kMaxPacketOctets);
  if (smfi_register(desc) != MI_SUCCESS) return std::unexpected("libmilter refuses the callbacks");
  if (auto path = socket_path(spec); !path.empty()) return open_unix_socket(path, engine.socket);
  if (smfi_opensocket(true) != MI_SUCCESS) return std::unexpected("cannot listen (see the libmilter log line)");
  if (engine.tcp_port != 0 && set_nodelay_on_listener(engine.tcp_port) == 0)
    log::warning("milter: no listening socket on port {} found to set TCP_NODELAY on", engine.tcp_port);
  return {};
}

int serve() { return smfi_main(); }

void stop() { smfi_stop(); }

}  // namespace postseal::milter
