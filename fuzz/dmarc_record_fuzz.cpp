// dmarc_record_fuzz.cpp - fuzz the DMARC record parser, the From parsing DMARC relies on and
// a whole evaluation.
//
// The input is used three ways: as a DMARC record (parse_record and applicable, then as the
// TXT record of _dmarc.example.com in an in-memory zone with a full evaluate(), so the tree
// walk, alignment, p/sp/np and the enforce step run), as a From header value (author_domains
// and an evaluation against that zone), and as a domain name (domain_name, tree_walk_names).
// The same zone is also linted as `postseal dns-check` does (keys/dmarc_lint: findings by tag,
// rua/ruf destinations taken from the fuzzed record, the signer's d= alignment).
// Nothing may crash, hang or read out of bounds (run under ASan in CI).
#include "core/dmarc/auth_result.hpp"
#include "core/dmarc/evaluate.hpp"
#include "core/dns/memory_zone.hpp"
#include "keys/dmarc_lint.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

// GCC 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames at -O2.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {

using namespace postseal;

void fill(dns::MemoryZone& zone, const std::string& record) {
  zone.add("_dmarc.example.com", dns::Record{.type = dns::RrType::txt, .strings = {record}});
  zone.add("_dmarc.bank.example", dns::Record{.type = dns::RrType::txt,
                                              .strings = {"v=DMARC1; p=reject; psd=y"}});
  zone.add("example.com", dns::Record{.type = dns::RrType::a,
                                      .address = asio::ip::make_address("192.0.2.1")});
  zone.add_timeout("_dmarc.slow.example.com");
}

asio::awaitable<void> run(dmarc::Message message, dns::MemoryZone& zone) {
  dmarc::Discovery discovery(zone, dmarc::Mode::treewalk);
  dmarc::Options options;
  dmarc::Verdict v = co_await dmarc::evaluate(message, options, discovery);
  (void)dmarc::format_result(v);
}

asio::awaitable<void> lint(dns::MemoryZone& zone, std::string domain) {
  std::vector<keys::SignerDomain> signers;
  signers.push_back({std::string("example.com"), true});
  keys::DmarcLint l = co_await keys::lint_dmarc(zone, dmarc::Mode::treewalk, nullptr,
                                                std::move(domain), std::move(signers));
  (void)l.has_problem();
}

void run_lint(dns::MemoryZone& zone, std::string domain) {
  asio::io_context io;
  asio::co_spawn(io, lint(zone, std::move(domain)), asio::detached);
  io.run();
}

void evaluate(const dmarc::Message& message, dns::MemoryZone& zone) {
  asio::io_context io;
  asio::co_spawn(io, run(message, zone), asio::detached);
  io.run();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (auto record = dmarc::parse_record(text)) (void)dmarc::applicable(*record);
  if (auto name = dmarc::domain_name(text)) (void)dmarc::tree_walk_names(*name);

  dns::MemoryZone zone;
  fill(zone, text);
  dmarc::Message message;
  message.from_fields = {" a@mail.example.com"};
  message.spf_domain = "bounce.example.com";
  message.spf_pass = true;
  message.dkim = {{"slow.example.com", "s", true}, {"other.example", "s", true}};
  evaluate(message, zone);

  message.from_fields = {text, " b@x.bank.example"};
  (void)dmarc::author_domains(message.from_fields);
  evaluate(message, zone);

  run_lint(zone, "example.com");
  run_lint(zone, "mail.example.com");
  return 0;
}
