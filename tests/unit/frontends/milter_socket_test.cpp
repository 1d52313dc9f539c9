// milter_socket_test.cpp - the milter's sockets: secure_socket() giving a unix socket its
// owner, group and mode (a configured group that does not exist is an error naming it, the
// default one missing is not). TCP_NODELAY on accepted sockets is core/net's Server's (the
// milter's read/write loop: milter_server_test.cpp). (The socket keys: milter_options_test.cpp.)
#include "core/util/config.hpp"
#include "verifier/milter/milter.hpp"

#include <gtest/gtest.h>

#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

namespace postseal::milter {
namespace {

// Socket - a unix socket bound in a fresh directory under the test's umask 022.
struct Socket {
  std::filesystem::path dir, path;
  int fd = -1;
  Socket() {
    char tmpl[] = "/tmp/postseal-milter-sock-test.XXXXXX";
    dir = ::mkdtemp(tmpl);
    path = dir / "milter.sock";
    fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    auto old = ::umask(022);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ::umask(old);
  }
  ~Socket() {
    ::close(fd);
    std::filesystem::remove_all(dir);
  }
  struct stat info() const {
    struct stat st{};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st;
  }
};

TEST(MilterSocket, SecureSocketSetsOwnerGroupAndMode) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (chown to another user)";
  const group* gr = ::getgrnam("postfix");
  const passwd* pw = ::getpwnam("nobody");
  ASSERT_NE(gr, nullptr) << "group postfix (Postfix is installed for the integration tests)";
  ASSERT_NE(pw, nullptr);
  gid_t gid = gr->gr_gid;
  uid_t uid = pw->pw_uid;
  Socket s;
  EXPECT_EQ(s.info().st_mode & 0777, 0755u);  // what libmilter leaves under umask 022
  SocketOptions o;
  o.owner = "nobody";
  auto ok = secure_socket(s.path, o);
  ASSERT_TRUE(ok) << ok.error();
  auto st = s.info();
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  EXPECT_EQ(st.st_gid, gid);
  EXPECT_EQ(st.st_uid, uid);
}

TEST(MilterSocket, MissingGroupConfiguredIsAnErrorNamingIt) {
  Socket s;
  config::declare(config_keys());
  auto file = config::File::parse("[milter]\nsocket_group = \"no-such-group-postseal\"\n", "t.toml");
  auto o = socket_options_from_config(file);  // the key named in messages comes from here
  ASSERT_TRUE(o) << o.error();
  auto ok = secure_socket(s.path, *o);
  ASSERT_FALSE(ok);
  EXPECT_NE(ok.error().find("no-such-group-postseal"), std::string::npos) << ok.error();
  EXPECT_NE(ok.error().find("milter.socket_group"), std::string::npos) << ok.error();
}

TEST(MilterSocket, MissingDefaultGroupKeepsTheOwnersGroup) {
  Socket s;
  auto before = s.info();
  SocketOptions o;
  o.group = "no-such-group-postseal";  // as if the default "postfix" did not exist
  o.mode = 0600;
  auto ok = secure_socket(s.path, o);
  ASSERT_TRUE(ok) << ok.error();
  auto st = s.info();
  EXPECT_EQ(st.st_gid, before.st_gid);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(MilterSocket, UnknownOwnerIsAnError) {
  Socket s;
  SocketOptions o;
  o.owner = "no-such-user-postseal";
  auto ok = secure_socket(s.path, o);
  ASSERT_FALSE(ok);
  EXPECT_NE(ok.error().find("no-such-user-postseal"), std::string::npos);
}

TEST(MilterSocket, SocketPath) {
  EXPECT_EQ(socket_path("unix:/var/spool/postfix/postseal/milter.sock"), "/var/spool/postfix/postseal/milter.sock");
  EXPECT_EQ(socket_path("local:/run/m.sock"), "/run/m.sock");
  EXPECT_EQ(socket_path("inet:10041@127.0.0.1"), "");
}

}  // namespace
}  // namespace postseal::milter
