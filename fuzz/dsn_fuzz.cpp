// dsn_fuzz.cpp - fuzz the DSN reader of `postseal dmarc bounce` (core/dmarc_report/dsn.hpp)
// and the MIME pieces under it (core/mail/mime.hpp), then the decisions on what it read
// (core/dmarc_report/bounce.hpp) against a memory store.
//
// Untrusted input: every byte is a message as it reaches the bounce address (the command turns
// bare LF into CRLF first, and so does this target). Checked on every input:
//   - parse_dsn never returns more than kMaxDsnRecipients recipients, each with an action of
//     RFC 3464 2.3.3, a Status whose class is 2, 4 or 5, and addresses of at most
//     kMaxAddressOctets without control characters;
//   - split_multipart never gives more than kMaxBodyParts parts, each inside the input;
//   - a parsed Content-Type has at most kMaxContentTypeParameters parameters;
//   - handle_bounce only suppresses an address that was noted as sent to (only
//     "rua@example.net" is), and describe() gives printable text.
// No network, no files, deterministic (a FixedClock).
#include "core/dmarc_report/bounce.hpp"
#include "core/dmarc_report/destination.hpp"
#include "core/dmarc_report/dsn.hpp"
#include "core/dmarc_report/sent_recently.hpp"
#include "core/dmarc_report/suppression.hpp"
#include "core/mail/line_ends.hpp"
#include "core/mail/mime.hpp"
#include "core/state/memory_store.hpp"
#include "core/util/clock.hpp"
#include "core/util/text.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace postseal;

void check(bool ok) {
  if (!ok) std::abort();
}

void check_recipients(const dmarc_report::Dsn& dsn) {
  check(dsn.recipients.size() <= dmarc_report::kMaxDsnRecipients);
  for (const auto& r : dsn.recipients) {
    check(r.action == "failed" || r.action == "delayed" || r.action == "delivered" ||
          r.action == "relayed" || r.action == "expanded");
    check(dmarc_report::status_class(r.status) != 0);
    for (const auto* a : {&r.final_recipient, &r.original_recipient}) {
      check(a->size() <= dmarc_report::kMaxAddressOctets && !has_control(*a));
    }
    check(!r.final_recipient.empty());
  }
}

void check_decisions(const dmarc_report::Dsn& dsn) {
  FixedClock clock(1'700'000'000);
  state::MemoryStore store(clock, 1000);
  check(dmarc_report::note_sent(store, "rua@example.net", "aggregate report").has_value());
  for (const auto& o : dmarc_report::handle_bounce(store, dsn, 30)) {
    if (o.decision == dmarc_report::BounceDecision::suppressed)
      check(iequals(o.address, "rua@example.net"));
    check(!has_control(dmarc_report::describe(o, 30)));
  }
  auto all = store.scan("dmarc:q:", 10);
  check(all.has_value() && all->size() <= 1);
}

void check_multipart(std::string_view text) {
  auto parts = mail::split_multipart(text, "b");
  if (!parts) return;
  check(parts->size() <= mail::kMaxBodyParts);
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  for (const auto& p : *parts) {
    check(p.header.empty() || (p.header.data() >= begin && p.header.data() + p.header.size() <= end));
    check(p.body.empty() || (p.body.data() >= begin && p.body.data() + p.body.size() <= end));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  const std::string text = mail::to_crlf(raw);
  if (auto type = mail::parse_content_type(raw))
    check(type->parameters.size() <= mail::kMaxContentTypeParameters);
  check_multipart(text);
  for (std::string_view input : {std::string_view(text), raw}) {
    auto dsn = dmarc_report::parse_dsn(input);
    if (!dsn) continue;
    check_recipients(*dsn);
    check_decisions(*dsn);
  }
  return 0;
}
