// verify_command.cpp - `postseal verify` (placeholder until the DKIM library lands).
#include "signer/commands.hpp"

namespace postseal::signer {

void add_verify_command(CLI::App&, Runner&) {}

}  // namespace postseal::signer
