// open_store_test.cpp - keys/rotation/open_store.hpp: an SQLite state file created by a root
// process (the signer at start, `postseal keys rotate`) is given to signer.user, so the
// daemons and the tick timer that run as that user can write it; an existing file keeps its
// owner. Runs as root only (skipped otherwise).
#include "core/state/options.hpp"
#include "core/util/config.hpp"
#include "keys/rotation/open_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace postseal::rotation {
namespace {

constexpr config::Key kSignerUser[] = {{"signer.user", config::Type::string, "\"\"", 0, 0, "(declared by the signer)"}};

uid_t owner(const std::filesystem::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_uid;
}

TEST(OpenRotationStore, GivesANewFileToTheDaemonUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  const passwd* nobody = ::getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  config::declare(kSignerUser);
  config::declare(state::config_keys());
  char tmpl[] = "/tmp/postseal-open-store-XXXXXX";
  const std::filesystem::path dir = ::mkdtemp(tmpl);
  const auto db = dir / "state.db";
  const auto file = config::File::parse(
      "[signer]\nuser = \"nobody\"\n[state]\nbackend = \"sqlite\"\npath = \"" + db.string() + "\"\n", "test.toml");
  FixedClock clock(1);
  open_rotation_store(file, clock).reset();
  EXPECT_EQ(owner(db), nobody->pw_uid);
  ASSERT_EQ(::chown(db.c_str(), 0, 0), 0);
  open_rotation_store(file, clock).reset();
  EXPECT_EQ(owner(db), 0u) << "an existing file keeps its owner";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace postseal::rotation
