// inbound_context.hpp - what the inbound front ends (policy service, before-queue proxy,
// milter) share, built once per daemon in one place: the resolver, the clock, the SPF engine
// named by spf.engine with the limits of spf.time_cap_seconds, the decision core over them,
// the DKIM verification options (dkim.*), the authserv-id and DMARC ([dmarc]).
//
// Untrusted input: none at run time; at start-up the config file (a bad spf.engine is a
// config error naming the key). The decision options come in already built, so the command
// line can be laid over the file by the caller.
#pragma once

#include "core/dns/resolver.hpp"
#include "core/net/daemon.hpp"
#include "core/util/clock.hpp"
#include "core/dkim/message_verifier.hpp"
#include "verifier/decision/decider.hpp"
#include "verifier/dmarc_check.hpp"
#include "verifier/dmarc_record.hpp"
#include "verifier/greylist/service.hpp"
#include "verifier/spf/engine.hpp"

#include <memory>
#include <string>

namespace postseal::config {
class File;
}  // namespace postseal::config

namespace postseal::verifier {

// InboundContext - shared by every session of every front end of one daemon; read-only once
// serving, except the decider's result cache (used from the io_context's threads) and the
// decider itself, which SIGHUP replaces: each policy connection, milter transaction and proxy
// message takes the one current when it starts (decider.get()) and keeps it to its end.
struct InboundContext {
  std::unique_ptr<dns::Resolver> resolver;
  const Clock* clock = nullptr;
  std::unique_ptr<spf::SpfEngine> spf_engine;
  spf::SpfOptions spf;  // time cap and clock of every evaluation
  net::Reloadable<decision::Decider> decider{nullptr};  // the [verifier] options in force
  dkim::VerifyOptions dkim;
  std::string authserv_id;
  std::shared_ptr<const DmarcCheck> dmarc;  // [dmarc] when dmarc.enable, else null
  // dmarc.report_record: counting for aggregate reports, else null; the command calls
  // start_dmarc_recording() once it runs as its final user
  std::unique_ptr<DmarcRecording> dmarc_recording;
  // [greylist] when enabled, else null (not reloaded); the command calls greylist::start()
  // once it runs as its final user
  std::unique_ptr<greylist::Service> greylisting;
};

// spf_options_from_config - spf.time_cap_seconds, evaluated on `clock`.
spf::SpfOptions spf_options_from_config(const config::File& file, const Clock& clock);

// make_decider - a decision core over `context`'s resolver, SPF engine and clock (the
// context's own, or a reloaded one with new options).
std::shared_ptr<decision::Decider> make_decider(const InboundContext& context, decision::Options options);

// make_inbound_context - the context of one daemon; `clock` must outlive it. `greylist`
// overrides greylist.enable (the --greylist flag). Throws StartupError (exit 78) for an
// unknown spf.engine or a bad [greylist] / [state] setting.
std::unique_ptr<InboundContext> make_inbound_context(const config::File& file, decision::Options options,
                                                     std::unique_ptr<dns::Resolver> resolver,
                                                     const Clock& clock,
                                                     std::optional<bool> greylist = std::nullopt);

}  // namespace postseal::verifier
