// service.cpp - greylisting of one daemon (see service.hpp).
#include "verifier/greylist/service.hpp"

#include "core/state/options.hpp"
#include "core/state/store_factory.hpp"
#include "core/util/config.hpp"
#include "core/util/log.hpp"

namespace postseal::greylist {

std::unique_ptr<state::Store> open_store(const config::File& file, const Clock& clock) {
  return state::open_store(state::settings_from_config(file), clock);
}

std::unique_ptr<Service> make_service(const config::File& file, std::optional<bool> enable, std::string host) {
  auto settings = settings_from_config(file, enable);
  if (!settings.enable) return nullptr;
  auto s = std::make_unique<Service>();
  s->state = state::settings_from_config(file);
  s->options = std::move(settings.options);
  s->defer_text = settings.defer_text;
  s->add_header = settings.add_header;
  s->host = std::move(host);
  return s;
}

void start(Service& s, const Clock& clock) {
  if (s.greylister) return;
  s.store = state::open_store(s.state, clock);
  const auto clients = s.options.clients ? s.options.clients->size() : 0;
  const auto recipients = s.options.recipients ? s.options.recipients->size() : 0;
  adopt_store(s, s, clock);
  const auto& o = s.greylister->options();
  log::info("greylisting: store {}, delay {} s, retry window {} s, max age {} s, auto-whitelist after {}, "
            "{} client and {} recipient whitelist entries",
            s.store->name(), o.delay, o.retry_window, o.max_age, o.auto_whitelist_clients, clients, recipients);
}

void adopt_store(Service& reloaded, const Service& running, const Clock& clock) {
  reloaded.state = running.state;
  reloaded.store = running.store;
  if (reloaded.store) reloaded.greylister = std::make_unique<Greylister>(*reloaded.store, clock, reloaded.options);
}

}  // namespace postseal::greylist
