// inbound_context.cpp - the inbound front ends' shared context (see inbound_context.hpp).
#include "verifier/inbound_context.hpp"

#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace postseal::verifier {

spf::SpfOptions spf_options_from_config(const config::File& file, const Clock& clock) {
  spf::SpfOptions o;
  o.time_cap_seconds = file.integer("spf.time_cap_seconds");
  o.clock = &clock;
  return o;
}

std::unique_ptr<InboundContext> make_inbound_context(const config::File& file,
                                                     std::unique_ptr<dns::Resolver> resolver,
                                                     const Clock& clock) {
  auto c = std::make_unique<InboundContext>();
  auto engine = file.string("spf.engine");
  c->spf_engine = spf::make_engine(engine);
  if (!c->spf_engine)
    throw config_error(fmt::format("spf.engine: '{}' is not {} or {}", printable(engine, 40), spf::kEngineNative,
                                   spf::kEngineLibspf2));
  c->resolver = std::move(resolver);
  c->clock = &clock;
  c->spf = spf_options_from_config(file, clock);
  // counting for DMARC reports is not reloaded: it holds the store (started by the command)
  c->dmarc_recording = make_dmarc_recording(file);
  return c;
}

std::shared_ptr<InboundRules> make_rules(const InboundContext& c, const config::File& file,
                                         decision::Options options, std::optional<bool> greylist) {
  auto r = std::make_shared<InboundRules>();
  r->authserv_id = options.authserv_id;
  r->dkim = dkim::options_from_config(file);
  r->dmarc = dmarc_check_from_config(file);
  r->greylisting = greylist::make_service(file, greylist, options.authserv_id);
  r->decider = make_decider(c, std::move(options));
  return r;
}

std::shared_ptr<decision::Decider> make_decider(const InboundContext& c, decision::Options options) {
  auto checker = decision::engine_checker(*c.spf_engine, *c.resolver, c.spf);
  return std::make_shared<decision::Decider>(std::move(options), std::move(checker), c.resolver.get(), *c.clock);
}

}  // namespace postseal::verifier
