// milter.cpp - libmilter callbacks, socket spec, config keys (see milter.hpp).
#include "verifier/milter/milter.hpp"

#include "core/util/config.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"

#include <asio/co_spawn.hpp>
#include <asio/use_future.hpp>
#include <fmt/format.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmilter/mfapi.h>

#include <charconv>
#include <exception>

namespace postseal::milter {
namespace {

Engine* g_engine = nullptr;  // set once before smfi_main(); read-only afterwards

Session* session_of(SMFICTX* ctx) { return static_cast<Session*>(smfi_getpriv(ctx)); }

Session* ensure_session(SMFICTX* ctx) {
  auto* s = session_of(ctx);
  if (s == nullptr) {
    s = new Session();
    smfi_setpriv(ctx, s);
  }
  return s;
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
  *pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_ADDRCPT | SMFIF_DELRCPT);
  *pf1 = f1 & SMFIP_HDR_LEADSPC;
  *pf2 = 0;
  *pf3 = 0;
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
    if (g_engine->tcp_port != 0) set_nodelay_on_port(g_engine->tcp_port);
    s->client_name = client_name_from(hostname ? hostname : "");
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
    const auto& p = g_engine->policy;
    s->client_whitelisted = (s->client && p.whitelist_ip.matches(*s->client)) ||
                            host_listed(s->client_name, p.whitelist_ptr);
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

sfsistat on_envfrom(SMFICTX* ctx, char** argv) {
  return guarded("envfrom", ctx, [&] {
    auto* s = ensure_session(ctx);
    s->reset_message();
    s->sender = strip_angle(argv && argv[0] ? std::string_view(argv[0]).substr(0, 512) : std::string_view{});
    if (const char* qid = smfi_getsymval(ctx, const_cast<char*>("i"))) s->queue_id = postseal::printable(qid, 64);
    s->sender_whitelisted = address_listed(s->sender, g_engine->policy.whitelist_from);
    if (s->client_whitelisted || s->sender_whitelisted || !s->client) return SMFIS_CONTINUE;
    decision::Transaction t{*s->client, s->client_name, s->helo, s->sender, s->queue_id};
    auto* decider = g_engine->decider;
    s->decision = run_on_io([decider, t]() -> asio::awaitable<decision::Decision> {
      co_return co_await decider->decide(t);
    });
    s->decided = true;
    return SMFIS_CONTINUE;
  });
}

sfsistat on_envrcpt(SMFICTX* ctx, char** argv) {
  return guarded("envrcpt", ctx, [&] {
    auto* s = ensure_session(ctx);
    auto rcpt = strip_angle(argv && argv[0] ? std::string_view(argv[0]).substr(0, 512) : std::string_view{});
    const auto& p = g_engine->policy;
    bool listed = address_listed(rcpt, p.whitelist_to);
    if (s->decided && !listed) {
      if (s->decision.verdict == decision::Verdict::reject && p.refuse_fail) {
        set_reply(ctx, s->decision.reply, "550", "5.7.23");
        log::info("{}: milter reject: RCPT {}: {}", s->queue_id.empty() ? "NOQUEUE" : s->queue_id,
                  postseal::printable(rcpt), postseal::printable(s->decision.reply));
        return SMFIS_REJECT;
      }
      if (s->decision.verdict == decision::Verdict::defer_if_permit) {
        set_reply(ctx, s->decision.reply, "450", "4.7.1");
        return SMFIS_TEMPFAIL;
      }
    }
    // whitelist_to recipients get the message as addressed; quarantine moves only the others
    if (!listed && s->recipients.size() < smtp::kMaxRecipients) s->recipients.push_back(std::move(rcpt));
    return SMFIS_CONTINUE;
  });
}

sfsistat on_header(SMFICTX* ctx, char* name, char* value) {
  return guarded("header", ctx, [&] {
    auto* s = ensure_session(ctx);
    std::string_view v = value ? value : "";
    add_field(*s, raw_field(name ? name : "", v, lead_space(ctx) && !v.empty() && (v[0] == ' ' || v[0] == '\t')));
    return SMFIS_CONTINUE;
  });
}

sfsistat on_eoh(SMFICTX* ctx) {
  return guarded("eoh", ctx, [&] {
    auto* s = ensure_session(ctx);
    if (!s->header_problem.empty()) return SMFIS_CONTINUE;
    s->dkim.emplace(g_engine->dkim, *g_engine->clock);
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
  log::info("{}: milter: SPF {}: quarantined to {}", s.queue_id.empty() ? "NOQUEUE" : s.queue_id,
            s.decision.mail_from.checked ? spf::to_string(s.decision.mail_from.outcome.result)
                                         : spf::to_string(s.decision.helo.outcome.result),
            postseal::printable(mailbox));
}

sfsistat on_eom(SMFICTX* ctx) {
  return guarded("eom", ctx, [&] {
    auto* s = ensure_session(ctx);
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
    const auto& id = g_engine->authserv_id;
    for (int n : forged_occurrences(s->fields, id)) {
      smfi_chgheader(ctx, const_cast<char*>("Authentication-Results"), n, nullptr);
      log::info("{}: milter: removed a forged Authentication-Results field claiming {}",
                s->queue_id.empty() ? "NOQUEUE" : s->queue_id, postseal::printable(id));
    }
    const auto& p = g_engine->policy;
    if (p.add_header) {
      auto spf = received_spf_value(*s, id);
      if (!spf.empty()) smfi_insheader(ctx, 0, const_cast<char*>("Received-SPF"), spf.data());
    }
    auto ar = auth_results_value(*s, id, dkim, dk);
    smfi_insheader(ctx, 0, const_cast<char*>("Authentication-Results"), ar.data());
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
  delete session_of(ctx);
  smfi_setpriv(ctx, nullptr);
  return SMFIS_CONTINUE;
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

int open(const std::string& spec, Engine& engine) {
  g_engine = &engine;
  smfiDesc desc{};
  desc.xxfi_name = const_cast<char*>("postseal");
  desc.xxfi_version = SMFI_VERSION;
  desc.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_ADDRCPT | SMFIF_DELRCPT;
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
  if (smfi_setconn(const_cast<char*>(spec.c_str())) != MI_SUCCESS) return -1;
  if (smfi_settimeout(engine.timeout_seconds) != MI_SUCCESS) return -1;
  if (smfi_register(desc) != MI_SUCCESS) return -1;
  if (smfi_opensocket(true) != MI_SUCCESS) return -1;
  return 0;
}

int serve() { return smfi_main(); }

void stop() { smfi_stop(); }

}  // namespace postseal::milter
