// dk_message_fuzz.cpp - DomainKeys verification of arbitrary messages: DomainKey-Signature
// parsing (RFC 4870 3.5), h= selection, the Sender/From rule and both canonicalizations.
// The input is a message ("header CRLF CRLF body"); the zone holds one valid-looking key, so
// inputs that get past parsing reach the crypto. Also feeds the raw input to the field and
// mailbox parsers directly.
#include "core/dns/memory_zone.hpp"
#include "core/domainkeys/dk_signature.hpp"
#include "core/domainkeys/dk_verifier.hpp"
#include "core/mail/address.hpp"
#include "core/mail/header.hpp"
#include "core/util/clock.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <cstdint>
#include <string_view>

using namespace postseal;

namespace {

// make_zone - the one key record every input is checked against; lives for the whole run.
dns::MemoryZone* make_zone() {
  auto* z = new dns::MemoryZone;
  dns::Record r;
  r.type = dns::RrType::txt;
  r.strings = {"k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDAzNcBKznU+8fD3IID+C1vpKSz9TEU0l58"
               "pLltHWgJRjDmSx3D6H+8+55223JdJsJiU+qqWMJYLFoH6/Bs9yKc6tGjDbzm4bf4XhFooeM2oVL14mBs"
               "JgUFIrSOoZmDgmAUodmp+gFxvuDdKGh/6iZDYOFs6hppjtrNIa/fGUyMPQIDAQAB"};
  z->add("sel._domainkey.example.com", r);
  return z;
}

asio::awaitable<void> finish(domainkeys::DkVerifier& verifier, dns::Resolver& zone) {
  auto r = co_await verifier.finish(zone);
  if (r) (void)domainkeys::format_result(*r);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)domainkeys::parse_signature(in);
  (void)mail::parse_address_list(in);
  auto end = in.find("\r\n\r\n");
  std::string_view block = end == std::string_view::npos ? in : in.substr(0, end + 2);
  std::string_view body = end == std::string_view::npos ? std::string_view() : in.substr(end + 4);
  auto fields = mail::parse_header_block(block);
  if (!fields) return 0;
  static dns::MemoryZone* zone = make_zone();
  FixedClock clock(1700000000);
  domainkeys::DkVerifier verifier(clock);
  verifier.headers(*fields);
  std::size_t split = body.empty() ? 0 : static_cast<unsigned char>(body[0]) % body.size();
  verifier.body(body.substr(0, split));
  verifier.body(body.substr(split));
  asio::io_context io;
  asio::co_spawn(io, finish(verifier, *zone), asio::detached);
  io.run();
  return 0;
}
