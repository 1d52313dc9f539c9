// private_key_test.cpp - key loading: dkimpy's keys in PKCS#1/PKCS#8, with and without PEM
// markers, raw Ed25519 seeds; refusals with reasons (docs/security.md 18, 43): group/other-readable
// files (naming the file and the chmod), RSA under 1024 bits (naming the file), garbage, wrong
// key types; the warning for RSA under 2048 bits. Keys to refuse are generated here; the
// 1024-bit one is dkimpy's (tests/data/dkim/README.md).
#include "core/crypto/private_key.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace postseal::crypto {
namespace {

const std::string kData = std::string(POSTSEAL_TEST_DATA) + "/dkim/";

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// without_markers - the base64 between the PEM lines.
std::string without_markers(const std::string& pem) {
  std::string out;
  std::istringstream in(pem);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("-----", 0) != 0) out += line + "\n";
  }
  return out;
}

// TempDir - a private directory removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/postseal-keys-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::filesystem::path write(const std::string& name, const std::string& text, mode_t mode) {
    auto p = path / name;
    std::ofstream(p, std::ios::binary) << text;
    ::chmod(p.c_str(), mode);
    return p;
  }
};

struct LoadCase {
  std::string file;
  bool strip_markers;
  KeyType type;
  int bits;
};

TEST(PrivateKey, LoadsDkimpyAndRfcKeys) {
  const LoadCase cases[] = {
      {"dkimpy-data/1024_testkey.key", false, KeyType::rsa, 1024},
      {"dkimpy-data/1024_testkey.key", true, KeyType::rsa, 1024},        // bare PKCS#1 DER
      {"dkimpy-data/2048_testkey.key", false, KeyType::rsa, 2048},
      {"dkimpy-data/2048_testkey_PKCS8.key", false, KeyType::rsa, 2048},
      {"dkimpy-data/2048_testkey_PKCS8.key", true, KeyType::rsa, 2048},  // bare PKCS#8 DER
      {"dkimpy-data/test.private", false, KeyType::rsa, 1024},
      {"dkimpy-data/ed25519test.key", false, KeyType::ed25519, 256},     // raw seed, base64
      {"dkimpy-data/rfc8032_7_1.key", false, KeyType::ed25519, 256},
      {"rfc8463/ed25519-brisbane.private.pem", false, KeyType::ed25519, 256},
      {"rfc8463/rsa-test.private.pem", false, KeyType::rsa, 1024},
  };
  for (const auto& c : cases) {
    std::string text = read(kData + c.file);
    if (c.strip_markers) text = without_markers(text);
    auto key = PrivateKey::from_pem(text, c.file);
    ASSERT_TRUE(key.has_value()) << c.file << ": " << key.error();
    EXPECT_EQ((*key)->type(), c.type) << c.file;
    EXPECT_EQ((*key)->bits(), c.bits) << c.file;
  }
}

// The p= we would publish is the one dkimpy's data publishes for the same key.
TEST(PrivateKey, PublicKeyMatchesPublishedRecords) {
  struct { std::string key, record; } cases[] = {
      {"dkimpy-data/2048_testkey_PKCS8.key", "dkimpy-data/2048_testkey_PKCS8.key.pub.txt"},
      {"dkimpy-data/1024_testkey.key", "dkimpy-data/1024_testkey_wo_markers.pub.txt"},
      {"dkimpy-data/test.private", "dkimpy-data/test.txt"},
      {"dkimpy-data/ed25519test.key", "dkimpy-data/ed25519test.dns"},
  };
  for (const auto& c : cases) {
    auto key = PrivateKey::from_pem(read(kData + c.key), c.key);
    ASSERT_TRUE(key.has_value()) << c.key;
    std::string record = read(kData + c.record);
    std::string p = record.substr(record.find("p=") + 2);
    while (!p.empty() && (p.back() == '\n' || p.back() == '\r' || p.back() == ' ')) p.pop_back();
    EXPECT_EQ((*key)->public_key_base64(), p) << c.key;
  }
}

// generated_pem - a fresh key of an algorithm we must refuse, as PEM.
std::string generated_pem(EVP_PKEY* pkey) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  EVP_PKEY_free(pkey);
  return out;
}

TEST(PrivateKey, RefusesBadKeysWithReasons) {
  std::string small_pem = generated_pem(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(768)));
  std::string ec_pem = generated_pem(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  struct { std::string name, text, reason; } cases[] = {
      {"small", small_pem, "RSA key of 768 bits is below 1024"},
      {"ec", ec_pem, "neither an RSA nor an Ed25519"},
      {"garbage", "not a key at all", "not a readable private key"},
      {"truncated", read(kData + "dkimpy-data/2048_testkey.key").substr(0, 300), "not a readable private key"},
      {"public", read(kData + "dkimpy-data/2048_testkey_wo_markers.pub.txt"), "not a readable private key"},
      {"empty", "", "not a readable private key"},
      {"huge", std::string(kMaxKeyFileBytes + 1, 'A'), "larger than"},
  };
  for (const auto& c : cases) {
    auto key = PrivateKey::from_pem(c.text, c.name);
    ASSERT_FALSE(key.has_value()) << c.name;
    EXPECT_NE(key.error().find(c.name), std::string::npos) << key.error();
    EXPECT_NE(key.error().find(c.reason), std::string::npos) << c.name << ": " << key.error();
  }
}

TEST(PrivateKey, RsaUnder1024BitsRefusedNamingTheFile) {  // docs/security.md 18, RFC 8301 3.2
  TempDir dir;
  auto file = dir.write("short.private",
                        generated_pem(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(512))), 0600);
  auto key = PrivateKey::load(file);
  ASSERT_FALSE(key.has_value());
  EXPECT_NE(key.error().find(file.string()), std::string::npos) << key.error();
  EXPECT_NE(key.error().find("RSA key of 512 bits is below 1024"), std::string::npos) << key.error();
}

TEST(PrivateKey, RsaUnder2048BitsLoadsWithAWarningNamingTheFile) {  // RFC 8301 3.2 SHOULD
  TempDir dir;
  auto file = dir.write("s1024.private", read(kData + "dkimpy-data/1024_testkey.key"), 0600);
  auto key = PrivateKey::load(file);
  ASSERT_TRUE(key.has_value()) << key.error();
  EXPECT_EQ(size_warning(**key, file.string()),
            "RSA key " + file.string() + " is 1024 bits; Gmail and Yahoo require at least 1024, 2048 is recommended");
  for (const char* name : {"dkimpy-data/2048_testkey.key", "rfc8463/ed25519-brisbane.private.pem"}) {
    auto other = PrivateKey::from_pem(read(kData + name), name);
    ASSERT_TRUE(other.has_value()) << name;
    EXPECT_EQ(size_warning(**other, name), std::nullopt) << name;
  }
}

TEST(PrivateKey, FilePermissions) {  // docs/security.md 18
  TempDir dir;
  std::string pem = read(kData + "dkimpy-data/2048_testkey.key");
  auto ok = dir.write("ok.private", pem, 0600);
  EXPECT_TRUE(PrivateKey::load(ok).has_value());
  EXPECT_TRUE(PrivateKey::load(dir.write("ro.private", pem, 0400)).has_value());
  for (mode_t mode : {0640, 0604, 0644, 0660}) {
    auto p = dir.write("open.private", pem, mode);
    auto key = PrivateKey::load(p);
    ASSERT_FALSE(key.has_value()) << std::oct << mode;
    EXPECT_EQ(key.error(), "key file " + p.string() + " is readable by group or others; run: chmod 600 " + p.string());
    EXPECT_TRUE(PrivateKey::load(p, false).has_value()) << "check can be turned off";
  }
  auto missing = PrivateKey::load(dir.path / "missing.private");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().find("missing.private"), std::string::npos);
  auto directory = PrivateKey::load(dir.path);
  ASSERT_FALSE(directory.has_value());
  EXPECT_NE(directory.error().find("not a regular file"), std::string::npos);
}

TEST(PrivateKey, UnreadableByTheDaemonsUser) {  // the user a daemon drops to must read its keys
  TempDir dir;
  const auto file = dir.write("k.private", "not parsed", 0600);
  const uid_t other = ::getuid() + 4242;  // neither the owner nor root
  const gid_t other_group = ::getgid() + 4242;
  auto problem = unreadable_by(file, "svc", other, other_group);  // dir is 0700 (mkdtemp)
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(*problem, "key file " + file.string() + " cannot be reached by user 'svc' (the daemon's user on a " +
                          "reload): directory " + dir.path.string() + " is not searchable by it; run: chmod o+x " +
                          dir.path.string());
  ASSERT_EQ(::chmod(dir.path.c_str(), 0711), 0);
  problem = unreadable_by(file, "svc", other, other_group);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(*problem, "key file " + file.string() + " is not readable by user 'svc' (the daemon's user on a " +
                          "reload); run: chown svc " + file.string() + " (or make keys with: postseal keygen " +
                          "--owner svc)");
  EXPECT_EQ(unreadable_by(file, "svc", ::getuid(), other_group), std::nullopt) << "the owner reads 0600";
  EXPECT_EQ(unreadable_by(file, "root", 0, 0), std::nullopt) << "root reads anything";
  EXPECT_TRUE(unreadable_by(file, "svc", other, ::getgid()).has_value()) << "0600: not the group";
  ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
  EXPECT_EQ(unreadable_by(file, "svc", other, ::getgid()), std::nullopt) << "0640: the group reads";
  EXPECT_EQ(unreadable_by(dir.path / "missing.private", "svc", other, other_group), std::nullopt)
      << "a missing file is load()'s error";
}

TEST(PrivateKey, AFifoKeyPathDoesNotBlock) {  // a blocking open() would wait for a writer forever
  TempDir dir;
  const auto fifo = dir.path / "fifo.private";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto key = PrivateKey::load(fifo);
  ASSERT_FALSE(key.has_value());
  EXPECT_EQ(key.error(), "key file " + fifo.string() + " is not a regular file");
}

}  // namespace
}  // namespace postseal::crypto
