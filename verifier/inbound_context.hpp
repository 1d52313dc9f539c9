// inbound_context.hpp - what the inbound front ends (policy service, before-queue proxy,
// milter) share, built in one place: the resolver, the clock and the SPF engine named by
// spf.engine with the limits of spf.time_cap_seconds, built once per daemon; and the rules
// (InboundRules), built at start and again on each SIGHUP: the decision core over them, the
// DKIM verification options (dkim.*), the authserv-id, DMARC ([dmarc]), greylisting
// ([greylist]) and the front ends' own per-transaction keys (milter.*, proxy.received_spf).
//
// Untrusted input: none at run time; at start-up and reload the config file (a bad spf.engine
// is a config error naming the key). The decision options come in already built, so the
// command line can be laid over the file by the caller.
#pragma once

#include "core/dns/resolver.hpp"
#include "core/net/daemon.hpp"
#include "core/util/clock.hpp"
#include "core/dkim/message_verifier.hpp"
#include "verifier/decision/decider.hpp"
#include "verifier/dmarc_check.hpp"
#include "verifier/dmarc_record.hpp"
#include "verifier/failure_sender.hpp"
#include "verifier/greylist/service.hpp"
#include "verifier/milter/session.hpp"
#include "verifier/milter/signing.hpp"
#include "verifier/spf/engine.hpp"

#include <memory>
#include <string>

namespace postseal::config {
class File;
}  // namespace postseal::config

namespace postseal::verifier {

// InboundRules - the settings one transaction runs under, replaced whole by SIGHUP: each
// policy connection, milter transaction (from MAIL FROM) and proxy message takes the rules
// current when it starts (InboundContext::rules.get()) and keeps them to its end.
struct InboundRules {
  std::shared_ptr<decision::Decider> decider;  // the [verifier] options in force
  dkim::VerifyOptions dkim;
  std::string authserv_id;
  std::shared_ptr<const DmarcCheck> dmarc;  // [dmarc] when dmarc.enable, else null
  // [greylist] when enabled, else null; a reload makes a new one over the running store
  // (greylist::adopt_store); the command calls greylist::start() on the first one once it
  // runs as its final user
  std::shared_ptr<greylist::Service> greylisting;
  milter::Policy milter;     // milter.* (smf-spf's options), when the milter is served
  // milter.mode and what signing needs (internal sources, the signing table) when the milter
  // is served; null: verify only
  std::shared_ptr<const milter::Signing> signing;
  bool received_spf = true;  // proxy.received_spf
};

// InboundContext - shared by every session of every front end of one daemon; read-only once
// serving, except the decider's result cache (used from the io_context's threads) and the
// rules, which SIGHUP replaces.
struct InboundContext {
  std::unique_ptr<dns::Resolver> resolver;
  const Clock* clock = nullptr;
  std::unique_ptr<spf::SpfEngine> spf_engine;
  spf::SpfOptions spf;  // time cap and clock of every evaluation
  net::Reloadable<const InboundRules> rules{nullptr};
  // dmarc.report_record: counting for aggregate reports, else null; not reloaded (it holds
  // the store); the command calls start_dmarc_recording() once it runs as its final user
  std::unique_ptr<DmarcRecording> dmarc_recording;
  // dmarc.failure_reports: the background sender of RFC 9991 failure reports, else null; not
  // reloaded (it holds a thread and the store); started like dmarc_recording
  std::unique_ptr<FailureSender> failure_sender;
};

// spf_options_from_config - spf.time_cap_seconds, evaluated on `clock`.
spf::SpfOptions spf_options_from_config(const config::File& file, const Clock& clock);

// make_decider - a decision core over `context`'s resolver, SPF engine and clock.
std::shared_ptr<decision::Decider> make_decider(const InboundContext& context, decision::Options options);

// make_inbound_context - the context of one daemon, without rules yet; `clock` must outlive
// it. Throws StartupError (exit 78) for an unknown spf.engine.
std::unique_ptr<InboundContext> make_inbound_context(const config::File& file,
                                                     std::unique_ptr<dns::Resolver> resolver,
                                                     const Clock& clock);

// make_rules - the rules `file` gives with `options` (the decision options, command line laid
// over [verifier]); the milter and proxy keys are left at their defaults for the caller.
// `greylist` overrides greylist.enable (the --greylist flag). Throws StartupError (exit 78)
// for a bad [dkim], [dmarc], [greylist] or [state] setting or an unreadable list file.
std::shared_ptr<InboundRules> make_rules(const InboundContext& context, const config::File& file,
                                         decision::Options options, std::optional<bool> greylist = std::nullopt);

}  // namespace postseal::verifier
