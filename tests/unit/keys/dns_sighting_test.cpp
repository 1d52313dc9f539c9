// dns_sighting_test.cpp - keys/dns_sighting.hpp: a rotation record is judged by the DNS record
// at its name against its own key file: match, missing, another key's record, a revoked
// record, an unreadable key file.
#include "core/dns/memory_zone.hpp"
#include "keys/dns_sighting.hpp"
#include "keys/keygen.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

namespace postseal::keys {
namespace {

TEST(DnsSighting, JudgesTheRecordAgainstTheKeyFile) {
  char tmpl[] = "/tmp/postseal-sighting-XXXXXX";
  const std::filesystem::path dir = ::mkdtemp(tmpl);
  KeygenRequest request{"example.com", "new", crypto::KeyType::ed25519, 0, dir, ""};
  auto made = keygen(request).value();
  auto other = generate_key(crypto::KeyType::ed25519, 0).value();
  dns::MemoryZone zone;
  auto txt = [](std::string value) {
    dns::Record r;
    r.type = dns::RrType::txt;
    r.strings = {std::move(value)};
    return r;
  };
  zone.add("new._domainkey.example.com", txt(made.record.value));
  zone.add("other._domainkey.example.com", txt("v=DKIM1; k=ed25519; p=" + other->public_key_base64()));
  zone.add("gone._domainkey.example.com", txt("v=DKIM1; k=ed25519; p="));
  asio::io_context io;
  auto lookup = dns_lookup(io, zone);
  auto record = [&](std::string selector, std::string file) {
    return rotation::Record{"example.com", std::move(selector), crypto::KeyType::ed25519, rotation::State::pending,
                            1, 1, std::move(file), ""};
  };
  const std::string file = made.private_file.string();
  struct {
    std::string selector, file;
    rotation::Seen want;
    std::string detail;
  } cases[] = {
      {"new", file, rotation::Seen::match, ""},
      {"absent", file, rotation::Seen::missing, "no DKIM key record"},
      {"other", file, rotation::Seen::other, "mismatch"},
      {"gone", file, rotation::Seen::other, "revoked"},
      {"new", (dir / "none.private").string(), rotation::Seen::other, "none.private"},
  };
  for (const auto& c : cases) {
    auto got = lookup(record(c.selector, c.file));
    EXPECT_EQ(got.seen, c.want) << c.selector << ": " << got.detail;
    EXPECT_NE(got.detail.find(c.detail), std::string::npos) << c.selector << ": " << got.detail;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace postseal::keys
