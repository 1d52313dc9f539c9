// milter_server_test.cpp - the milter server's per-connection loop (verifier/milter/server.hpp,
// docs/milter-protocol.md) over a socket pair: several packets arriving in one write are all
// answered, in order; QUIT closes; a frame error closes; a silent MTA is dropped at the timeout.
#include "verifier/milter/server.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

namespace postseal::milter {
namespace {

using namespace std::string_literals;

Status go_on_connect(Context&, const protocol::Connect&) { return Status::continue_; }
Status go_on_text(Context&, std::string_view) { return Status::continue_; }
Status go_on_args(Context&, std::span<const std::string_view>) { return Status::continue_; }
void nothing(Context&) {}

Callbacks plain() {
  Callbacks c;
  c.open = nothing;
  c.connect = go_on_connect;
  c.helo = go_on_text;
  c.envfrom = go_on_args;
  c.envrcpt = go_on_args;
  c.abort = nothing;
  c.close = nothing;
  return c;
}

std::string packet(char cmd, std::string_view data = {}) {
  std::string out;
  protocol::append_packet(out, cmd, data);
  return out;
}

// read_all - the reply commands read until EOF.
std::string read_all(int fd) {
  std::string got, buffer;
  char chunk[4096];
  ssize_t n;
  while ((n = ::read(fd, chunk, sizeof chunk)) > 0)
    buffer.append(chunk, static_cast<std::size_t>(n));
  std::string_view rest = buffer;
  while (auto r = protocol::next_frame(rest).frame) {
    got.push_back(r->command);
    rest.remove_prefix(protocol::next_frame(rest).consumed);
  }
  return got;
}

// converse - `input` written at once, the write side shut when `shut`; the replies.
std::string converse(const std::string& input,
                     std::chrono::seconds timeout = std::chrono::seconds(5)) {
  int fds[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  const auto callbacks = plain();
  std::thread server([&] { serve_connection(fds[1], callbacks, timeout); });
  EXPECT_EQ(::write(fds[0], input.data(), input.size()), static_cast<ssize_t>(input.size()));
  auto got = read_all(fds[0]);
  server.join();
  ::close(fds[0]);
  return got;
}

std::string optneg() {
  std::string d;
  protocol::put_u32(d, 6);
  protocol::put_u32(d, 0x1ff);
  protocol::put_u32(d, 0);
  return packet('O', d);
}

TEST(MilterServer, PacketsOfOneWriteAreAllAnswered) {
  const auto input = optneg() + packet('C', "h\0U"s) + packet('H', "helo\0"s) +
                     packet('M', "<a@b>\0"s) + packet('R', "<c@d>\0"s) + packet('Q');
  EXPECT_EQ(converse(input), "Occcc");
}

TEST(MilterServer, AFrameErrorEndsTheConnection) {
  EXPECT_EQ(converse(optneg() + "\0\0\0\0"s + packet('C', "h\0U"s)), "O");
  EXPECT_EQ(converse(optneg() + packet('Z', "?")), "O");
}

TEST(MilterServer, ASilentMtaIsDroppedAtTheTimeout) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(converse(optneg(), std::chrono::seconds(1)), "O");  // no QUIT: the read times out
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
}

}  // namespace
}  // namespace postseal::milter
