// keygen_test.cpp - docs/security.md 42: keygen defaults, size bounds, 0600 + O_EXCL + O_NOFOLLOW,
// no overwrite, name validation, TXT strings of at most 255 octets, JSON form; --owner gives
// the private key to a user (still 0600) and an unknown user or group writes nothing.
#include "keys/keygen.hpp"
#include "core/dkim/key_names.hpp"
#include "keys/txt_record.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <pwd.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

namespace postseal::keys {
namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/postseal-keygen-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  ::lstat(p.c_str(), &st);
  return st.st_mode & 07777;
}

TEST(Keygen, DefaultIsRsa2048WrittenPrivately) {
  TempDir dir;
  KeygenRequest r{"example.com", "s2026"};
  r.dir = dir.path;
  EXPECT_EQ(r.bits, 2048);
  EXPECT_EQ(r.type, crypto::KeyType::rsa);
  auto out = keygen(r);
  ASSERT_TRUE(out.has_value()) << out.error();
  EXPECT_EQ(out->private_file, dir.path / "s2026.private");
  EXPECT_EQ(mode_of(out->private_file), 0600u);
  auto loaded = crypto::PrivateKey::load(out->private_file);
  ASSERT_TRUE(loaded.has_value()) << loaded.error();
  EXPECT_EQ((*loaded)->bits(), 2048);
  EXPECT_EQ((*loaded)->public_key_base64(), out->key->public_key_base64());
  EXPECT_EQ(read(out->txt_file), zone_line(out->record));
  EXPECT_EQ(out->record.name, "s2026._domainkey.example.com");
  EXPECT_TRUE(out->record.value.starts_with("v=DKIM1; k=rsa; p=MIIB"));
}

TEST(Keygen, NeverOverwritesOrFollowsSymlinks) {
  TempDir dir;
  KeygenRequest r{"example.com", "sel", crypto::KeyType::ed25519};
  r.dir = dir.path;
  ASSERT_TRUE(keygen(r).has_value());
  std::string before = read(dir.path / "sel.private");
  auto again = keygen(r);
  ASSERT_FALSE(again.has_value());
  EXPECT_NE(again.error().find((dir.path / "sel.private").string() + " already exists"), std::string::npos) << again.error();
  EXPECT_EQ(read(dir.path / "sel.private"), before);

  auto target = dir.path / "target";
  std::filesystem::create_symlink(target, dir.path / "link.private");
  KeygenRequest l{"example.com", "link", crypto::KeyType::ed25519};
  l.dir = dir.path;
  EXPECT_FALSE(keygen(l).has_value());
  EXPECT_FALSE(std::filesystem::exists(target)) << "symlink followed";
  EXPECT_FALSE(write_new_file(dir.path / "link.private", "x", 0600).has_value());
  EXPECT_FALSE(std::filesystem::exists(target)) << "symlink followed";
  // a .txt in the way: nothing is written at all
  std::ofstream(dir.path / "t.txt") << "old";
  KeygenRequest t{"example.com", "t", crypto::KeyType::ed25519};
  t.dir = dir.path;
  EXPECT_FALSE(keygen(t).has_value());
  EXPECT_FALSE(std::filesystem::exists(dir.path / "t.private"));
}

TEST(Keygen, OwnerGetsThePrivateKeyStill0600) {
  if (::geteuid() != 0) GTEST_SKIP() << "giving a file to another user needs root";
  const passwd* nobody = ::getpwnam("nobody");
  const group* daemon_group = ::getgrnam("daemon");
  ASSERT_NE(nobody, nullptr);
  ASSERT_NE(daemon_group, nullptr);
  TempDir dir;
  KeygenRequest r{"example.com", "owned", crypto::KeyType::ed25519};
  r.dir = dir.path;
  r.owner = "nobody";
  auto out = keygen(r);
  ASSERT_TRUE(out.has_value()) << out.error();
  struct stat st {};
  ASSERT_EQ(::lstat(out->private_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, nobody->pw_uid);
  EXPECT_EQ(st.st_gid, nobody->pw_gid);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::lstat(out->txt_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);  // the record is public: it stays the caller's

  r.selector = "owned2";
  r.owner = "nobody:daemon";
  out = keygen(r);
  ASSERT_TRUE(out.has_value()) << out.error();
  ASSERT_EQ(::lstat(out->private_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, nobody->pw_uid);
  EXPECT_EQ(st.st_gid, daemon_group->gr_gid);
}

TEST(Keygen, UnknownOwnerWritesNothing) {
  TempDir dir;
  KeygenRequest r{"example.com", "s1", crypto::KeyType::ed25519};
  r.dir = dir.path;
  for (const char* owner : {"no-such-user-postseal", "root:no-such-group-postseal", ":root", "root:"}) {
    r.owner = owner;
    auto out = keygen(r);
    ASSERT_FALSE(out.has_value()) << owner;
    EXPECT_NE(out.error().find("--owner"), std::string::npos) << out.error();
    EXPECT_TRUE(std::filesystem::is_empty(dir.path)) << owner;
  }
  EXPECT_NE(resolve_owner("root:no-such-group-postseal").error().find("no group 'no-such-group-postseal'"),
            std::string::npos);
}

TEST(Keygen, SizeBounds) {
  struct { int bits; bool ok; } cases[] = {{512, false}, {1023, false}, {1024, true}, {4096, true},
                                           {8192, true}, {8193, false}, {16384, false}};
  for (const auto& c : cases) {
    KeygenRequest r{"example.com", "s"};
    r.bits = c.bits;
    EXPECT_EQ(!check_request(r).has_value(), c.ok) << c.bits;
  }
  KeygenRequest small{"example.com", "s"};
  small.bits = 768;
  EXPECT_NE(check_request(small)->find("768"), std::string::npos);
}

TEST(Names, DomainsAndSelectors) {
  struct { std::string name; bool domain_ok, selector_ok; } cases[] = {
      {"example.com", true, true},
      {"mail.example.co.uk", true, true},
      {"s2026", false, true},
      {"a-b.example.com", true, true},
      {"-a.example.com", false, false},
      {"a-.example.com", false, false},
      {"a..example.com", false, false},
      {".example.com", false, false},
      {"example.com.", false, false},
      {"exa mple.com", false, false},
      {"exa\"mple.com", false, false},
      {"exa;mple.com", false, false},
      {"exa\nmple.com", false, false},
      {"ex_ample.com", false, false},
      {"\xc3\xa9xample.com", false, false},
      {"", false, false},
      {std::string(63, 'a') + ".com", true, true},
      {std::string(64, 'a') + ".com", false, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(!dkim::check_domain(c.name).has_value(), c.domain_ok) << c.name;
    EXPECT_EQ(!dkim::check_selector(c.name).has_value(), c.selector_ok) << c.name;
  }
  std::string long_name;
  while (long_name.size() < kMaxDomainOctets) long_name += "abcdefghi.";
  long_name += "com";  // > 253 octets, every label fine
  EXPECT_TRUE(dkim::check_domain(long_name).has_value());
}

TEST(TxtRecord, StringsAtMost255OctetsForEveryKeySize) {
  auto key = generate_key(crypto::KeyType::rsa, 2048);
  ASSERT_TRUE(key.has_value());
  // p= lengths of RSA-1024, 2048, 4096 and 8192 SubjectPublicKeyInfo in base64
  for (std::size_t p_len : {216u, 392u, 736u, 1428u}) {
    KeyRecord rec{"s2026._domainkey.example.com", "v=DKIM1; k=rsa; p=" + std::string(p_len, 'A')};
    if (p_len == 392u) {
      rec = make_key_record("example.com", "s2026", **key);
      EXPECT_EQ(rec.value.size(), std::string("v=DKIM1; k=rsa; p=").size() + p_len);
    }
    auto strings = txt_strings(rec);
    std::string joined;
    for (const auto& s : strings) {
      EXPECT_LE(s.size(), kMaxTxtStringOctets) << p_len;
      joined += s;
    }
    EXPECT_EQ(joined, rec.value);
    std::string line = zone_line(rec);
    EXPECT_TRUE(line.starts_with("s2026._domainkey.example.com. IN TXT ( \"v=DKIM1; k=rsa; \" \"p=")) << line;
    EXPECT_TRUE(line.ends_with("\" )\n"));
  }
}

TEST(TxtRecord, Ed25519AndJson) {
  auto key = generate_key(crypto::KeyType::ed25519, 0);
  ASSERT_TRUE(key.has_value());
  KeyRecord rec = make_key_record("example.com", "ed", **key);
  EXPECT_EQ(rec.value.size(), std::string("v=DKIM1; k=ed25519; p=").size() + 44);
  EXPECT_EQ(json(rec), "{\"name\":\"ed._domainkey.example.com\",\"type\":\"TXT\",\"value\":\"" + rec.value + "\"}\n");
  KeyRecord odd{"a\"b", "x\\y\n"};
  EXPECT_EQ(json(odd), "{\"name\":\"a\\\"b\",\"type\":\"TXT\",\"value\":\"x\\\\y\\u000a\"}\n");
}

}  // namespace
}  // namespace postseal::keys
