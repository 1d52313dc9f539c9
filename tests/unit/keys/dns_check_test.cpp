// dns_check_test.cpp - `postseal dns-check`'s comparison of published records with local keys.
#include "core/dns/memory_zone.hpp"
#include "keys/dns_check.hpp"
#include "keys/keygen.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <gtest/gtest.h>

namespace postseal::keys {
namespace {

dns::Answer txt(std::vector<std::string> strings, dns::Rcode rcode = dns::Rcode::noerror) {
  dns::Answer a;
  a.rcode = rcode;
  if (!strings.empty()) {
    dns::Record r;
    r.type = dns::RrType::txt;
    r.strings = std::move(strings);
    a.records.push_back(r);
  }
  return a;
}

TEST(DnsCheck, CompareRecord) {
  auto rsa = generate_key(crypto::KeyType::rsa, 1024);
  auto ed = generate_key(crypto::KeyType::ed25519, 0);
  ASSERT_TRUE(rsa && ed);
  std::string p = (*rsa)->public_key_base64();
  std::string other = (*ed)->public_key_base64();
  struct { std::string name; dns::Answer answer; CheckStatus want; } cases[] = {
      {"published", txt({"v=DKIM1; k=rsa; ", "p=" + p.substr(0, 100), p.substr(100)}), CheckStatus::ok},
      {"no k= means rsa", txt({"p=" + p}), CheckStatus::ok},
      {"folded p=", txt({"v=DKIM1; p=" + p.substr(0, 50) + " " + p.substr(50)}), CheckStatus::ok},
      {"nxdomain", txt({}, dns::Rcode::nxdomain), CheckStatus::missing},
      {"only spf", txt({"v=spf1 -all"}), CheckStatus::missing},
      {"timeout", txt({}, dns::Rcode::timeout), CheckStatus::dns_error},
      {"revoked", txt({"v=DKIM1; k=rsa; p="}), CheckStatus::revoked},
      {"other key", txt({"v=DKIM1; k=rsa; p=" + other}), CheckStatus::mismatch},
      {"ed25519 record", txt({"v=DKIM1; k=ed25519; p=" + other}), CheckStatus::wrong_type},
      {"no p=", txt({"v=DKIM1; k=rsa"}), CheckStatus::bad_record},
      {"garbage", txt({"v=DKIM1; junk"}), CheckStatus::bad_record},
      {"huge", txt({"v=DKIM1; p=" + std::string(kMaxCheckedRecordBytes, 'A')}), CheckStatus::bad_record},
  };
  for (const auto& c : cases) {
    KeyCheck got = compare_record("s1._domainkey.example.com", c.answer, **rsa);
    EXPECT_EQ(got.status, c.want) << c.name << ": " << got.detail;
    EXPECT_EQ(got.detail.empty(), c.want == CheckStatus::ok) << c.name;
  }
  auto two = txt({"v=DKIM1; p=" + p});
  two.records.push_back(two.records[0]);
  EXPECT_EQ(compare_record("s1._domainkey.example.com", two, **rsa).status, CheckStatus::bad_record);
}

TEST(DnsCheck, LooksUpTheSelectorName) {
  auto ed = generate_key(crypto::KeyType::ed25519, 0);
  ASSERT_TRUE(ed.has_value());
  dns::MemoryZone zone;
  dns::Record r;
  r.type = dns::RrType::txt;
  r.strings = {"v=DKIM1; k=ed25519; p=" + (*ed)->public_key_base64()};
  zone.add("e1._domainkey.example.com", r);
  asio::io_context io;
  KeyCheck got{"", CheckStatus::dns_error};
  asio::co_spawn(io, check_key(zone, "example.com", "e1", *ed), [&](std::exception_ptr, KeyCheck c) { got = c; });
  io.run();
  EXPECT_EQ(got.name, "e1._domainkey.example.com");
  EXPECT_EQ(got.status, CheckStatus::ok) << got.detail;
}

}  // namespace
}  // namespace postseal::keys
