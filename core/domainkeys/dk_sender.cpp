// dk_sender.cpp - the Sender-else-From rule of RFC 4870 3.3 (see dk_sender.hpp).
#include "core/domainkeys/dk_sender.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

namespace postseal::domainkeys {

namespace {

// field_mailbox - the one mailbox of `field`, or why not (the reason names the field).
std::expected<mail::Mailbox, std::string> field_mailbox(const mail::HeaderField& field) {
  auto box = mail::single_mailbox(field.value());
  if (!box) return std::unexpected(fmt::format("{} has {}", printable(field.name(), 40), box.error()));
  return box;
}

}  // namespace

std::expected<SendingAddress, std::string> sending_address(
    const std::vector<const mail::HeaderField*>& fields) {
  std::vector<const mail::HeaderField*> senders, froms;
  for (const auto* f : fields) {
    if (f->is("Sender")) senders.push_back(f);
    if (f->is("From")) froms.push_back(f);
  }
  if (senders.size() > 1) return std::unexpected(fmt::format("{} Sender fields", senders.size()));
  if (senders.size() == 1) {
    auto box = field_mailbox(*senders.front());
    if (!box) return std::unexpected("Sender: " + box.error());
    return SendingAddress{std::move(*box), "sender"};
  }
  if (froms.empty()) return std::unexpected("no From or Sender field");
  if (froms.size() > 1) {
    return std::unexpected(fmt::format("{} From fields and no Sender", froms.size()));
  }
  auto box = field_mailbox(*froms.front());
  if (!box) return std::unexpected("From: " + box.error() + " and there is no Sender");
  return SendingAddress{std::move(*box), "from"};
}

bool domain_covers(std::string_view signing_domain, std::string_view domain) {
  if (!signing_domain.empty() && signing_domain.back() == '.') signing_domain.remove_suffix(1);
  if (signing_domain.empty()) return false;
  if (iequals(domain, signing_domain)) return true;
  if (domain.size() <= signing_domain.size() + 1) return false;
  std::string_view tail = domain.substr(domain.size() - signing_domain.size());
  return domain[domain.size() - signing_domain.size() - 1] == '.' && iequals(tail, signing_domain);
}

}  // namespace postseal::domainkeys
