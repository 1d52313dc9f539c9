// verify_vectors_test.cpp - MessageVerifier on published vectors: RFC 8463 Appendix A (both
// signatures), RFC 6376 Appendix A.2 (errata body), dkimpy's signed messages and bad key
// records (tests/data/dkim/, see its README for sources and licences).
#include "core/dns/memory_zone.hpp"
#include "core/mail/header.hpp"
#include "core/dkim/message_verifier.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace postseal::dkim {
namespace {

std::string read_data(const std::string& relative) {
  std::ifstream in(std::string(POSTSEAL_TEST_DATA) + "/dkim/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << relative;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string to_crlf(const std::string& text) {
  std::string out;
  for (std::size_t n = 0; n < text.size(); ++n) {
    if (text[n] == '\n' && (n == 0 || text[n - 1] != '\r')) out += '\r';
    out += text[n];
  }
  return out;
}

std::string trim_line_end(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

dns::Record txt(const std::string& text) {
  dns::Record r;
  r.type = dns::RrType::txt;
  for (std::size_t at = 0; at < text.size(); at += 255) r.strings.push_back(text.substr(at, 255));
  return r;
}

// zone_from_dns_txt - the "name<space>record" lines of the RFC vector directories.
void zone_from_dns_txt(const std::string& file, dns::MemoryZone& zone) {
  std::istringstream lines(read_data(file));
  for (std::string line; std::getline(lines, line);) {
    line = trim_line_end(line);
    auto space = line.find(' ');
    if (space == std::string::npos) continue;
    zone.add(line.substr(0, space), txt(line.substr(space + 1)));
  }
}

std::vector<SignatureResult> verify_file(const std::string& file, dns::MemoryZone& zone,
                                         std::int64_t now) {
  std::string message = to_crlf(read_data(file));
  auto end = message.find("\r\n\r\n");
  EXPECT_NE(end, std::string::npos) << file;
  auto fields = mail::parse_header_block(message.substr(0, end + 2));
  EXPECT_TRUE(fields.has_value()) << file;
  FixedClock clock(now);
  KeyCache cache;
  VerifyOptions options;
  options.key_cache = &cache;
  MessageVerifier verifier(options, clock);
  verifier.headers(*fields);
  verifier.body(std::string_view(message).substr(end + 4));
  asio::io_context io;
  std::vector<SignatureResult> results;
  asio::co_spawn(io, verifier.finish(zone),
                 [&](std::exception_ptr, std::vector<SignatureResult> r) { results = std::move(r); });
  io.run();
  return results;
}

TEST(VerifyVectors, Rfc8463BothSignaturesPass) {
  dns::MemoryZone zone;
  zone_from_dns_txt("rfc8463/dns.txt", zone);
  auto got = verify_file("rfc8463/signed.eml", zone, 1528637909);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].result, Result::pass) << got[0].reason;
  EXPECT_EQ(got[0].a, "ed25519-sha256");
  EXPECT_EQ(got[0].s, "brisbane");
  EXPECT_EQ(got[1].result, Result::pass) << got[1].reason;
  EXPECT_EQ(got[1].a, "rsa-sha256");
  EXPECT_EQ(format_result(got[0]),
            "dkim=pass header.d=football.example.com header.s=brisbane header.a=ed25519-sha256");
}

TEST(VerifyVectors, Rfc8463TamperedFails) {
  dns::MemoryZone zone;
  zone_from_dns_txt("rfc8463/dns.txt", zone);
  // Replace a key by the other's: RSA key where Ed25519 is expected fails cleanly.
  dns::MemoryZone swapped;
  swapped.add("brisbane._domainkey.football.example.com",
              zone.answer("test._domainkey.football.example.com", dns::RrType::txt).records[0]);
  swapped.add("test._domainkey.football.example.com",
              zone.answer("test._domainkey.football.example.com", dns::RrType::txt).records[0]);
  auto got = verify_file("rfc8463/signed.eml", swapped, 1528637909);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].result, Result::permerror);
  EXPECT_EQ(got[0].reason, "key type does not match a=");
  EXPECT_EQ(got[1].result, Result::pass) << got[1].reason;
}

TEST(VerifyVectors, Rfc6376A2ErrataBodyPasses) {
  dns::MemoryZone zone;
  zone_from_dns_txt("rfc6376-appA/dns.txt", zone);
  auto got = verify_file("rfc6376-appA/a2-signed-errata.eml", zone, 1700000000);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].result, Result::pass) << got[0].reason;
  EXPECT_EQ(got[0].i, "joe@football.example.com");
}

// dkimpy_zone - dkimpy's key records at the names its messages use.
void dkimpy_zone(dns::MemoryZone& zone, const std::string& rsa_record_file) {
  zone.add("test._domainkey.football.example.com",
           txt(trim_line_end(read_data("dkimpy-data/" + rsa_record_file))));
  zone.add("test._domainkey.example.com", txt(trim_line_end(read_data("dkimpy-data/test.txt"))));
  zone.add("brisbane._domainkey.football.example.com",
           txt("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="));
}

TEST(VerifyVectors, DkimpySignedMessages) {
  dns::MemoryZone zone;
  dkimpy_zone(zone, "test.txt");
  auto rsa = verify_file("dkimpy-data/rfc6376.signed.rsa.msg", zone, 1527915362);
  ASSERT_EQ(rsa.size(), 1u);
  EXPECT_EQ(rsa[0].result, Result::pass) << rsa[0].reason;
  auto dual = verify_file("dkimpy-data/rfc6376.signed.msg", zone, 1527915362);
  ASSERT_EQ(dual.size(), 2u);
  EXPECT_EQ(dual[0].a, "ed25519-sha256");
  EXPECT_EQ(dual[0].result, Result::pass) << dual[0].reason;
  EXPECT_EQ(dual[1].result, Result::pass) << dual[1].reason;
}

TEST(VerifyVectors, DkimpyEd25519Message) {
  dns::MemoryZone zone;
  zone.add("test._domainkey.example.com",
           txt(trim_line_end(read_data("dkimpy-data/ed25519test.dns"))));
  auto got = verify_file("verify/ed25519test.signed.msg", zone, 1795398683);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].result, Result::pass) << got[0].reason;
}

TEST(VerifyVectors, DkimpyBadKeyRecordsFail) {
  struct Case {
    std::string record_file, want_reason;
  };
  for (const auto& c : std::vector<Case>{{"badk.txt", "unknown key type k="},
                                         {"badversion.txt", "bad key record version v="}}) {
    dns::MemoryZone zone;
    dkimpy_zone(zone, c.record_file);
    auto got = verify_file("dkimpy-data/rfc6376.signed.rsa.msg", zone, 1527915362);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].result, Result::permerror) << c.record_file;
    EXPECT_EQ(got[0].reason, c.want_reason) << c.record_file;
  }
}

TEST(VerifyVectors, DkimpyNoFromNeverPasses) {
  dns::MemoryZone zone;
  dkimpy_zone(zone, "test.txt");
  auto got = verify_file("verify/test_nofrom.signed.msg", zone, 1795398688);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].result, Result::permerror);
  EXPECT_EQ(got[0].reason, "no From header");
  auto unsigned_message = verify_file("dkimpy-data/test_nofrom.message", zone, 1795398688);
  EXPECT_TRUE(unsigned_message.empty());
}

}  // namespace
}  // namespace postseal::dkim
