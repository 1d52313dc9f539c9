// sign_command.cpp - `postseal sign` (placeholder until the DKIM library lands).
#include "signer/commands.hpp"

namespace postseal::signer {

void add_sign_command(CLI::App&, Runner&) {}

}  // namespace postseal::signer
