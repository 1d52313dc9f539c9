// dns_command.cpp - `postseal dns-lookup` (placeholder until the resolver factory lands).
#include "core/dns/dns_command.hpp"

namespace postseal::dns {

void add_commands(CLI::App&, Runner&) {}

}  // namespace postseal::dns
