// dmarc_check.hpp - DMARC in the inbound front ends (milter, before-queue proxy): the [dmarc]
// settings of one daemon and the evaluation of one message after SPF and DKIM.
//
// RFC 9989 5.3 (the receiver's steps: Author Domain from every From field, the SPF result of
// the MAIL FROM identity, or of the HELO identity for a null sender as RFC 9989 3.2.4 says,
// each DKIM signature's d= and result), through core/dmarc. Off unless dmarc.enable.
// Untrusted input: the header fields and the SPF/DKIM results of the message (core/dmarc
// parses and bounds them) and DNS answers. Per-message outcomes are values.
#pragma once

#include "core/dmarc/evaluate.hpp"
#include "core/dmarc/options.hpp"
#include "core/dns/resolver.hpp"
#include "core/mail/header.hpp"
#include "verifier/message_report.hpp"

#include <asio/awaitable.hpp>

#include <memory>
#include <optional>
#include <vector>

namespace postseal::config {
class File;
}  // namespace postseal::config

namespace postseal::verifier {

// DmarcCheck - [dmarc] of one daemon, with the public suffix list loaded in psl mode.
struct DmarcCheck {
  dmarc::Settings settings;
  std::optional<dmarc::PublicSuffixList> psl;
};

// dmarc_check_from_config - the daemon's DMARC settings, or nullptr when dmarc.enable is off;
// throws StartupError (exit 78) for bad [dmarc] values or an unreadable list.
std::shared_ptr<const DmarcCheck> dmarc_check_from_config(const config::File& file);

// dmarc_message - what DMARC needs of one message: From values of `headers`, the SPF
// identity and result of `report`'s decision, its DKIM results; `client` as given.
dmarc::Message dmarc_message(const std::vector<mail::HeaderField>& headers,
                             const MessageReport& report);

// evaluate_dmarc - the verdict of one message.
asio::awaitable<dmarc::Verdict> evaluate_dmarc(const DmarcCheck& check, dns::Resolver& resolver,
                                               dmarc::Message message);

}  // namespace postseal::verifier
