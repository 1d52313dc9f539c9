// message_assembler_test.cpp - core/relay's message pieces: Postfix's queue id from Received,
// the header limits of the assembler (docs/security.md 13), the size limit and dot-stuffing, the spool
// (memory, then an unlinked file) and its failure reply.
#include "core/relay/message_assembler.hpp"
#include "core/relay/message_step.hpp"
#include "core/relay/spool.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace postseal::relay {
namespace {

std::vector<mail::HeaderField> fields(std::string block) {
  return mail::parse_header_block(block).value();
}

TEST(QueueId, FromTheFirstReceivedField) {
  EXPECT_EQ(received_queue_id(fields("Received: from x by mx with ESMTP id 4F1A2B3C4D;\r\n\tMon\r\n")), "4F1A2B3C4D");
  EXPECT_EQ(received_queue_id(fields("Subject: x\r\n")), "");
}

// Mail from sendmail/pickup: Postfix folds before "id" (tab), and sends no XFORWARD IDENT.
TEST(QueueId, FromPickupsFoldedReceivedField) {
  EXPECT_EQ(received_queue_id(fields("Received: by mx.example.com (Postfix, from userid 1001)\r\n"
                                     "\tid 2BE6A122386; Sun,  6 Dec 2026 23:18:32 +0000 (UTC)\r\n")),
            "2BE6A122386");
  EXPECT_EQ(received_queue_id(fields("Received: by mx (Postfix, from userid 0)\r\n\tid ;x\r\n")), "");
  EXPECT_EQ(received_queue_id(fields("Received: by mx (Postfix, from userid 0) id\r\n")), "");
  EXPECT_EQ(received_queue_id(fields("Received: from a.example by mx; squid 4F1A2B3C4D\r\n")), "");
}

TEST(MessageAssembler, HeaderFieldLimit) {
  Spool spool(1024, "/tmp");
  MessageAssembler m(spool, 1 << 30, [](const auto&) { return nullptr; });
  m.line("From: a@example.com", 0);
  for (std::size_t i = 0; i < kMaxHeaderFields; ++i) m.line("X: y", 0);
  m.line("", 0);
  m.finish();
  EXPECT_EQ(m.problem(), Problem::too_many_header_fields);
}

TEST(MessageAssembler, SizeLimitAndStuffedBody) {
  Spool spool(1024, "/tmp");
  MessageAssembler ok(spool, 1000, [](const auto&) { return nullptr; });
  ok.line("Subject: x", 10);
  ok.line("", 12);
  ok.line(".dot", 20);
  ok.finish();
  EXPECT_EQ(ok.problem(), Problem::none);
  std::string scratch;
  EXPECT_EQ(spool.chunk(0, scratch), "..dot\r\n");
  Spool spool2(1024, "/tmp");
  MessageAssembler big(spool2, 1000, [](const auto&) { return nullptr; });
  big.line("Subject: x", 1001);
  big.finish();
  EXPECT_EQ(big.problem(), Problem::too_big);
}

TEST(Spool, MovesToAnUnlinkedFileAboveTheThreshold) {
  Spool s(100, "/tmp");
  std::string line(60, 'a');
  for (int i = 0; i < 5000; ++i) s.append(line);
  s.flush();
  EXPECT_TRUE(s.on_disk());
  EXPECT_FALSE(s.failed());
  EXPECT_EQ(s.size(), 300000u);
  std::string scratch, all;
  for (std::size_t i = 0; i < s.chunks(); ++i) all += s.chunk(i, scratch);
  EXPECT_EQ(all, std::string(300000, 'a'));
}

TEST(Spool, UnwritableDirectoryIsAFailureNotACrash) {
  Spool s(10, "/nonexistent-dir");
  s.append(std::string(100, 'x'));
  EXPECT_TRUE(s.failed());
  EXPECT_EQ(problem_reply(Problem::spool_failed, 0).substr(0, 3), "452");
}

}  // namespace
}  // namespace postseal::relay
