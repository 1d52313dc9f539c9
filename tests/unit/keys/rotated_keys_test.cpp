// rotated_keys_test.cpp - signer/filter/rotated_keys.hpp: with keys.rotation the signing table
// takes each domain's active key per algorithm from the store (MemoryStore here), keeps the
// configured key of an algorithm without one, ignores domains it does not sign, refuses a
// key file of the wrong type, keeps the table's warnings and adds one for a rotated RSA key
// under 2048 bits (docs/security.md 18); without keys.rotation the store is not read. (Here,
// not in tests/unit/signer, because it makes its key files with keys/keygen.) The retiring
// keys of the table's domains go to postseal_key_retire_seconds, and with keys.max_age their
// signing active keys, counting to created + max_age.
#include "signer/filter/rotated_keys.hpp"
#include "core/metrics/key_retire.hpp"
#include "core/state/options.hpp"
#include "core/state/store_factory.hpp"
#include "core/util/config.hpp"
#include "keys/keygen.hpp"
#include "keys/rotation/record.hpp"
#include "keys/rotation/record_store.hpp"
#include "keys/rotation/settings.hpp"

#include <gtest/gtest.h>
#include <prometheus/metric_family.h>

#include <unistd.h>
#include <filesystem>
#include <map>

namespace postseal::signer {
namespace {

struct KeyDir {
  std::filesystem::path path;
  KeyDir() {
    char tmpl[] = "/tmp/postseal-rotated-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~KeyDir() { std::filesystem::remove_all(path); }
  std::string make(const std::string& selector, crypto::KeyType type) {
    keys::KeygenRequest r;
    r.domain = "example.com";
    r.selector = selector;
    r.type = type;
    r.bits = 1024;
    r.dir = path;
    return keys::keygen(r).value().private_file.string();
  }
};

rotation::Record active(std::string d, std::string s, crypto::KeyType a, std::string file) {
  return rotation::Record{std::move(d), std::move(s), a, rotation::State::active, 1, 1, std::move(file), ""};
}

TEST(RotatedKeys, ActiveKeyReplacesTheSameAlgorithm) {
  KeyDir dir;
  const auto old_rsa = dir.make("s2026a", crypto::KeyType::rsa), ed = dir.make("e2026a", crypto::KeyType::ed25519);
  const auto new_rsa = dir.make("rsa202612", crypto::KeyType::rsa);
  DomainPolicy p;
  p.domain = "example.com";
  p.keys = {{"example.com", "s2026a", crypto::PrivateKey::load(old_rsa).value()},
            {"example.com", "e2026a", crypto::PrivateKey::load(ed).value()}};
  SigningTable table({p});
  auto got = with_rotated_keys(table, {active("example.com", "rsa202612", crypto::KeyType::rsa, new_rsa),
                                       active("example.org", "x", crypto::KeyType::rsa, new_rsa)});
  ASSERT_TRUE(got.has_value()) << got.error();
  const auto& keys = (*got)->lookup("example.com")->keys;
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].selector, "rsa202612") << "same place: DomainKeys takes the first RSA key";
  EXPECT_EQ(keys[0].domain, "example.com");
  EXPECT_EQ(keys[1].selector, "e2026a") << "no active ed25519 record: the configured key signs";
  EXPECT_EQ((*got)->lookup("example.org"), nullptr) << "the store does not add signing domains";
}

// A [[signer.sender]] row (per-address keys) is not rotated: alice@example.com keeps her
// own key while example.com's RSA key is replaced (signer/filter/rotated_keys.hpp).
TEST(RotatedKeys, SenderRowsKeepTheirConfiguredKeys) {
  KeyDir dir;
  const auto old_rsa = dir.make("s2026a", crypto::KeyType::rsa), alice = dir.make("alice1", crypto::KeyType::rsa);
  const auto new_rsa = dir.make("rsa202612", crypto::KeyType::rsa);
  DomainPolicy p;
  p.domain = "example.com";
  p.keys = {{"example.com", "s2026a", crypto::PrivateKey::load(old_rsa).value()}};
  SenderPolicy s{parse_sender_pattern("alice@example.com").value(), {}};
  s.policy.domain = "example.com";
  s.policy.keys = {{"example.com", "alice1", crypto::PrivateKey::load(alice).value()}};
  SigningTable table({p}, {s}, {});
  auto got = with_rotated_keys(table, {active("example.com", "rsa202612", crypto::KeyType::rsa, new_rsa)});
  ASSERT_TRUE(got.has_value()) << got.error();
  EXPECT_EQ((*got)->lookup_sender("bob", "example.com")->keys.at(0).selector, "rsa202612");
  const auto* for_alice = (*got)->lookup_sender("alice", "example.com");
  ASSERT_NE(for_alice, nullptr);
  ASSERT_EQ(for_alice->keys.size(), 1u);
  EXPECT_EQ(for_alice->keys[0].selector, "alice1");
}

TEST(RotatedKeys, SmallRotatedRsaKeyAddsAWarning) {
  KeyDir dir;
  const auto rsa = dir.make("rsa202612", crypto::KeyType::rsa);  // 1024 bits
  DomainPolicy p;
  p.domain = "example.com";
  SigningTable table({p}, {"configured key warning"});
  auto got = with_rotated_keys(table, {active("example.com", "rsa202612", crypto::KeyType::rsa, rsa)});
  ASSERT_TRUE(got.has_value()) << got.error();
  EXPECT_EQ((*got)->warnings(),
            (std::vector<std::string>{"configured key warning",
                                      "rotated key rsa202612._domainkey.example.com: RSA key " + rsa +
                                          " is 1024 bits; Gmail and Yahoo require at least 1024, 2048 is "
                                          "recommended"}));
}

TEST(RotatedKeys, RefusesAKeyOfAnotherType) {
  KeyDir dir;
  const auto ed = dir.make("e1", crypto::KeyType::ed25519);
  DomainPolicy p;
  p.domain = "example.com";
  SigningTable table({p});
  auto got = with_rotated_keys(table, {active("example.com", "r1", crypto::KeyType::rsa, ed)});
  ASSERT_FALSE(got.has_value());
  EXPECT_NE(got.error().find("is not an rsa key"), std::string::npos) << got.error();
  auto missing = with_rotated_keys(table, {active("example.com", "r1", crypto::KeyType::rsa, "/nonexistent/k.private")});
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().find("r1._domainkey.example.com"), std::string::npos) << missing.error();
}

TEST(RotatedKeys, StoreReadOnlyWithKeysRotation) {
  config::declare(rotation::config_keys());
  config::declare(state::config_keys());
  FixedClock clock(1);
  auto table = std::make_shared<const SigningTable>(std::vector<DomainPolicy>{});
  auto off = config::File::parse("[keys]\nrotation = false\n[state]\nbackend = \"sqlite\"\npath = \"/nonexistent/dir/state.db\"\n", "off.toml");
  auto got = load_rotated_keys(table, off, clock);
  ASSERT_TRUE(got.has_value()) << got.error();
  EXPECT_EQ(got->get(), table.get());
  auto on = config::File::parse("[keys]\nrotation = true\n[state]\nbackend = \"sqlite\"\npath = \"/nonexistent/dir/state.db\"\n", "on.toml");
  auto failed = load_rotated_keys(table, on, clock);
  ASSERT_FALSE(failed.has_value()) << "an unreadable store stops the start (or keeps the old table on reload)";
  EXPECT_NE(failed.error().find("/nonexistent/dir/state.db"), std::string::npos) << failed.error();
}

// retire_series - postseal_key_retire_seconds now: "domain selector" -> value.
std::map<std::string, double> retire_series() {
  std::map<std::string, double> out;
  const auto families = metrics::key_retire_collectable()->Collect();
  for (const auto& m : families.at(0).metric)
    out[m.label.at(0).value + " " + m.label.at(1).value] = m.gauge.value;
  return out;
}

TEST(RotatedKeys, RetiringKeysOfSigningDomainsInTheMetrics) {
  config::declare(rotation::config_keys());
  config::declare(state::config_keys());
  KeyDir dir;
  const std::string db = (dir.path / "state.db").string();
  FixedClock clock(10'000);
  {
    auto store = state::open_store(state::Options{state::Backend::sqlite, db}, clock);
    rotation::RecordStore records(*store);
    using rotation::State;
    auto record = [](std::string d, std::string s, State state, std::int64_t since) {
      return rotation::Record{
          std::move(d), std::move(s), crypto::KeyType::rsa, state, 1, since, "/k/" + s, ""};
    };
    ASSERT_TRUE(records.save(record("example.com", "s2026a", State::retiring, 4'000)).has_value());
    ASSERT_TRUE(
        records.save(record("example.com", "rsa202612", State::pending, 9'000)).has_value());
    ASSERT_TRUE(records.save(record("example.com", "old", State::revoked, 1'000)).has_value());
    ASSERT_TRUE(records.save(record("unsigned.example", "s1", State::retiring, 4'000)).has_value());
  }
  DomainPolicy p;
  p.domain = "example.com";
  auto table = std::make_shared<const SigningTable>(std::vector<DomainPolicy>{p});
  metrics::set_key_retire_clock(&clock);
  auto on = config::File::parse(
      "[keys]\nrotation = true\nretire_after = 86400\n[state]\nbackend = \"sqlite\"\npath = \"" +
          db + "\"\n",
      "on.toml");
  ASSERT_TRUE(load_rotated_keys(table, on, clock).has_value());
  EXPECT_EQ(retire_series(),
            (std::map<std::string, double>{{"example.com s2026a", 4'000 + 86400 - 10'000}}))
      << "only the retiring key, and only of a domain the table signs";
  auto off = config::File::parse("[keys]\nrotation = false\n", "off.toml");
  ASSERT_TRUE(load_rotated_keys(table, off, clock).has_value());
  EXPECT_TRUE(retire_series().empty()) << "rotation turned off by a reload: no retiring keys";
  metrics::set_key_retire_clock(nullptr);
}

TEST(RotatedKeys, ActiveKeysCountToMaxAgeInTheMetrics) {
  config::declare(rotation::config_keys());
  config::declare(state::config_keys());
  KeyDir dir;
  const std::string db = (dir.path / "state.db").string();
  const std::string rsa = dir.make("s2026a", crypto::KeyType::rsa),
                    ed = dir.make("e2026a", crypto::KeyType::ed25519);
  FixedClock clock(20'000'000);
  {
    auto store = state::open_store(state::Options{state::Backend::sqlite, db}, clock);
    rotation::RecordStore records(*store);
    using rotation::State;
    auto record = [](std::string d, std::string s, crypto::KeyType a, State state,
                     std::int64_t created, std::string file) {
      return rotation::Record{std::move(d), std::move(s),    a, state, created,
                              created + 5,  std::move(file), ""};
    };
    ASSERT_TRUE(records
                    .save(record("example.com", "s2026a", crypto::KeyType::rsa, State::active,
                                 1'000'000, rsa))
                    .has_value());
    ASSERT_TRUE(records
                    .save(record("example.com", "e2026a", crypto::KeyType::ed25519, State::active,
                                 3'000'000, ed))
                    .has_value());
    ASSERT_TRUE(
        records
            .save(record("example.com", "old", crypto::KeyType::rsa, State::retiring, 0, "/k/old"))
            .has_value());
    ASSERT_TRUE(records
                    .save(record("example.com", "next", crypto::KeyType::rsa, State::pending,
                                 19'000'000, "/k/n"))
                    .has_value());
    ASSERT_TRUE(records
                    .save(record("unsigned.example", "s1", crypto::KeyType::rsa, State::active,
                                 1'000'000, rsa))
                    .has_value());
  }
  DomainPolicy p;
  p.domain = "example.com";
  auto table = std::make_shared<const SigningTable>(std::vector<DomainPolicy>{p});
  metrics::set_key_retire_clock(&clock);
  auto config = [&](const std::string& keys) {
    return config::File::parse("[keys]\nrotation = true\nretire_after = 86400\n" + keys +
                                   "\n[state]\nbackend = "
                                   "\"sqlite\"\npath = \"" +
                                   db + "\"\n",
                               "on.toml");
  };
  ASSERT_TRUE(load_rotated_keys(table, config(""), clock).has_value());
  const double max_age = 180 * 86400;  // the default
  EXPECT_EQ(retire_series(),
            (std::map<std::string, double>{{"example.com s2026a", 1'000'000 + max_age - 20'000'000},
                                           {"example.com e2026a", 3'000'000 + max_age - 20'000'000},
                                           {"example.com old", 5 + 86400 - 20'000'000}}))
      << "each signing active key counts to created + keys.max_age; the retiring key keeps its "
         "meaning";
  ASSERT_TRUE(load_rotated_keys(table, config("max_age = 2592000"), clock).has_value());
  EXPECT_EQ(retire_series().at("example.com s2026a"), 1'000'000 + 2592000 - 20'000'000)
      << "overdue: below 0";
  ASSERT_TRUE(load_rotated_keys(table, config("max_age = 0"), clock).has_value());
  EXPECT_EQ(retire_series(),
            (std::map<std::string, double>{{"example.com old", 5 + 86400 - 20'000'000}}))
      << "max_age 0: active keys have no date";
  metrics::set_key_retire_clock(nullptr);
}

}  // namespace
}  // namespace postseal::signer
