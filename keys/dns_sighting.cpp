// dns_sighting.cpp - judge a rotation record by DNS (see dns_sighting.hpp).
#include "keys/dns_sighting.hpp"

#include "keys/dns_check.hpp"

#include <asio/co_spawn.hpp>

#include <exception>

namespace postseal::keys {
namespace {

// sighting - a dns-check status as the state machine sees it.
rotation::Sighting sighting(const KeyCheck& check) {
  if (check.status == CheckStatus::ok) return {rotation::Seen::match, ""};
  if (check.status == CheckStatus::missing) return {rotation::Seen::missing, check.detail};
  return {rotation::Seen::other, std::string(to_string(check.status)) + ": " + check.detail};
}

}  // namespace

rotation::Lookup dns_lookup(asio::io_context& io, dns::Resolver& resolver) {
  return [&io, &resolver](const rotation::Record& r) -> rotation::Sighting {
    auto key = crypto::PrivateKey::load(r.file);
    if (!key) return {rotation::Seen::other, key.error()};
    KeyCheck check;
    std::exception_ptr failure;
    asio::co_spawn(io, check_key(resolver, r.d, r.s, *key), [&](std::exception_ptr e, KeyCheck c) {
      failure = e;
      check = std::move(c);
    });
    io.restart();
    io.run();
    if (failure) return {rotation::Seen::other, "lookup failed"};
    return sighting(check);
  };
}

}  // namespace postseal::keys
