// header_block_fuzz.cpp - fuzz the one RFC 5322 header parser (core/mail/header.hpp) on whole
// header blocks and the mailbox parser (core/mail/address.hpp) on every field value.
//
// Untrusted input: every byte is a header block as a client sends it. Inputs over
// kMaxInputOctets are skipped (the parser's own cap, kMaxHeaderBlockBytes, is tested by the
// unit tests; larger inputs only slow the fuzzer). Checked on every input:
//   - a block with a bare CR (RFC 5322 2.2, docs/security.md) is never accepted;
//   - an accepted block is its fields' raw text joined by CRLF: nothing lost, added or moved;
//   - every field has a valid name, no bare CR, at most kMaxHeaderFields fields;
//   - parse_address_list gives at most kMaxMailboxesPerField mailboxes, domains lower case
//     without a final dot; single_mailbox agrees with it; author_mailbox is the one From's.
// No network, no files, deterministic.
#include "core/mail/address.hpp"
#include "core/mail/header.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

constexpr std::size_t kMaxInputOctets = 64 * 1024;

using postseal::mail::HeaderField;

void check_mailboxes(std::string_view value) {
  auto list = postseal::mail::parse_address_list(value);
  auto single = postseal::mail::single_mailbox(value);
  if (!list) {
    if (single) std::abort();  // one mailbox read where the list could not be read
    return;
  }
  if (list->mailboxes.size() > postseal::mail::kMaxMailboxesPerField) std::abort();
  for (const auto& m : list->mailboxes) {
    for (char c : m.domain)
      if (c >= 'A' && c <= 'Z') std::abort();
    if (!m.domain.empty() && m.domain.back() == '.') std::abort();
  }
  if (single) {
    if (list->mailboxes.size() != 1 || list->has_group) std::abort();
    if (single->address() != list->mailboxes[0].address()) std::abort();
  }
}

void check_field(const HeaderField& f) {
  std::string_view name = f.name();
  if (name.empty() || name.find(':') != std::string_view::npos || !f.is(name)) std::abort();
  if (postseal::mail::has_bare_cr(f.raw)) std::abort();
  check_mailboxes(f.value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInputOctets) return 0;
  std::string_view block(reinterpret_cast<const char*>(data), size);
  check_mailboxes(block);  // the whole input as one field value, too
  auto fields = postseal::mail::parse_header_block(block);
  if (!fields) {
    if (postseal::mail::has_bare_cr(block) && block.find('\0') == std::string_view::npos &&
        fields.error() != postseal::mail::HeaderError::bare_cr) {
      std::abort();
    }
    return 0;
  }
  if (postseal::mail::has_bare_cr(block)) std::abort();
  if (fields->size() > postseal::mail::kMaxHeaderFields) std::abort();
  std::string joined;
  for (std::size_t i = 0; i < fields->size(); ++i) {
    if (i > 0) joined += "\r\n";
    joined += (*fields)[i].raw;
  }
  if (block.ends_with("\r\n")) joined += "\r\n";
  if (joined != block) std::abort();
  for (const auto& f : *fields) check_field(f);
  auto author = postseal::mail::author_mailbox(*fields);
  if (author) {
    if (postseal::mail::count_fields(*fields, "From") != 1) std::abort();
    for (const auto& f : *fields) {
      if (!f.is("From")) continue;
      auto one = postseal::mail::single_mailbox(f.value());
      if (!one || one->address() != author->address()) std::abort();
    }
  }
  return 0;
}
