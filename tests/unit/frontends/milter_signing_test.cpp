// milter_signing_test.cpp - the milter's signing half (verifier/milter/signing.hpp): milter.mode,
// which origins are internal (internal_hosts, an authenticated client, a daemon name), the
// milter.* signing keys with their errors, the signer's text split into fields for the MTA, and
// the refusals of a header that cannot be signed (the content filter's codes).
#include "core/domainkeys/dk_config.hpp"
#include "core/relay/message_assembler.hpp"
#include "core/state/options.hpp"
#include "core/util/clock.hpp"
#include "core/util/config.hpp"
#include "keys/rotation/settings.hpp"
#include "signer/commands.hpp"
#include "verifier/milter/milter.hpp"
#include "verifier/milter/session.hpp"
#include "verifier/milter/signing.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace postseal::milter {
namespace {

config::File load(std::string_view text) {
  config::declare(config_keys());
  config::declare(signer::filter_config_keys());
  config::declare(rotation::config_keys());
  config::declare(state::config_keys());
  config::declare(domainkeys::config_keys());
  return config::File::parse(text, "test.toml");
}

TEST(MilterSigning, Modes) {
  EXPECT_EQ(parse_mode("verify").value(), Mode::verify);
  EXPECT_EQ(parse_mode("sign").value(), Mode::sign);
  EXPECT_EQ(parse_mode("sign+verify").value(), Mode::sign_verify);
  EXPECT_FALSE(parse_mode("sv"));
  EXPECT_FALSE(parse_mode("Sign"));
  EXPECT_FALSE(parse_mode(""));
  for (auto m : {Mode::verify, Mode::sign, Mode::sign_verify}) EXPECT_EQ(parse_mode(to_string(m)).value(), m);
  Signing s;
  s.mode = Mode::sign;
  EXPECT_TRUE(s.signs());
  EXPECT_FALSE(s.verifies());
  s.mode = Mode::sign_verify;
  EXPECT_TRUE(s.signs() && s.verifies());
}

TEST(MilterSigning, InternalOrigins) {
  Signing s;
  ASSERT_TRUE(s.internal_hosts.add("127.0.0.0/8, ::1, 192.0.2.0/24"));
  s.sign_daemons = {"ORIGINATING"};
  auto ip = [](const char* a) { return std::optional(asio::ip::make_address(a)); };
  EXPECT_EQ(internal_reason(s, {ip("127.0.0.1"), "", ""}).value(), "client 127.0.0.1 in milter.internal_hosts");
  EXPECT_TRUE(internal_reason(s, {ip("::1"), "", ""}));
  EXPECT_TRUE(internal_reason(s, {ip("192.0.2.77"), "", "smtpd"}));
  EXPECT_FALSE(internal_reason(s, {ip("198.51.100.5"), "", "smtp"}));
  EXPECT_FALSE(internal_reason(s, {std::nullopt, "", ""}));
  EXPECT_EQ(internal_reason(s, {ip("198.51.100.5"), "alice", ""}).value(), "authenticated as alice");
  EXPECT_EQ(internal_reason(s, {ip("198.51.100.5"), "", "originating"}).value(),
            "daemon originating in milter.sign_daemons");
  EXPECT_FALSE(internal_reason(s, {ip("198.51.100.5"), "", "ORIGINATING-not"}));
  s.sign_daemons.clear();
  EXPECT_FALSE(internal_reason(s, {ip("198.51.100.5"), "", "ORIGINATING"}));
}

TEST(MilterSigning, ConfigVerifyNeedsNoTable) {
  SystemClock clock;
  auto s = signing_from_config(load(""), std::nullopt, clock);
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ((*s)->mode, Mode::verify);
  EXPECT_EQ((*s)->table, nullptr);
  EXPECT_TRUE((*s)->internal_hosts.matches("127.0.0.2"));
  EXPECT_TRUE((*s)->internal_hosts.matches("::1"));
  EXPECT_FALSE((*s)->internal_hosts.matches("192.0.2.1"));
  EXPECT_EQ((*s)->sign_daemons, std::vector<std::string>{"ORIGINATING"});
}

TEST(MilterSigning, ConfigErrorsNameTheKey) {
  SystemClock clock;
  auto err = [&](std::string_view text, std::optional<std::string> mode = std::nullopt) {
    auto s = signing_from_config(load(text), mode, clock);
    return s ? std::string("accepted") : s.error();
  };
  EXPECT_NE(err("[milter]\nmode = \"both\"\n").find("milter.mode"), std::string::npos);
  EXPECT_NE(err("[milter]\ninternal_hosts = [\"300.1.1.1\"]\n").find("milter.internal_hosts"), std::string::npos);
  EXPECT_NE(err("[milter]\nsign_daemons = [\"a b\"]\n").find("milter.sign_daemons"), std::string::npos);
  EXPECT_NE(err("[milter]\nsign_daemons = [\"\"]\n").find("milter.sign_daemons"), std::string::npos);
  // kMaxSignDaemons names of at most kMaxDaemonNameOctets each
  auto names = [](std::size_t n, std::size_t octets) {
    std::string list;
    for (std::size_t i = 0; i < n; ++i) list += (i ? ", \"" : "\"") + std::string(octets - 1, 'd') + char('a' + i % 26) + "\"";
    return "[milter]\nsign_daemons = [" + list + "]\n";
  };
  EXPECT_EQ(err(names(kMaxSignDaemons, kMaxDaemonNameOctets)), "accepted");
  EXPECT_NE(err(names(kMaxSignDaemons + 1, 8)).find("more than 64"), std::string::npos);
  EXPECT_NE(err(names(1, kMaxDaemonNameOctets + 1)).find("not a daemon name"), std::string::npos);
  // a signing mode without a signing table is an error, from the file or the command line
  EXPECT_NE(err("[milter]\nmode = \"sign\"\n").find("[[signer.domain]]"), std::string::npos);
  EXPECT_NE(err("", std::string("sign+verify")).find("[[signer.domain]]"), std::string::npos);
  // a missing key file is named
  EXPECT_NE(err("[milter]\nmode = \"sign\"\n[[signer.domain]]\nname = \"example.com\"\n"
                "keys = [\"s1:/nonexistent/postseal-test/s1.private\"]\n")
                .find("/nonexistent/postseal-test/s1.private"),
            std::string::npos);
}

TEST(MilterSigning, ConfigWithTable) {
  auto dir = std::filesystem::temp_directory_path() / "postseal-milter-signing-test";
  std::filesystem::create_directories(dir);
  auto key = dir / "e1.private";
  ASSERT_EQ(std::system(("openssl genpkey -algorithm ed25519 -out " + key.string() + " 2>/dev/null && chmod 600 " +
                         key.string()).c_str()),
            0);
  SystemClock clock;
  auto s = signing_from_config(load("[milter]\nmode = \"sign+verify\"\nsign_daemons = [\"ORIGINATING\", \"submission\"]\n"
                                    "[[signer.domain]]\nname = \"example.com\"\nkeys = [\"e1:" + key.string() + "\"]\n"),
                               std::nullopt, clock);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ((*s)->mode, Mode::sign_verify);
  ASSERT_NE((*s)->table, nullptr);
  EXPECT_NE((*s)->table->lookup("example.com"), nullptr);
  EXPECT_EQ((*s)->sign_daemons.size(), 2u);
}

TEST(MilterSigning, SplitFields) {
  auto got = split_fields("DKIM-Signature: v=1; a=rsa-sha256;\r\n\tb=abc\r\n\tdef\r\nDKIM-Signature: v=1; a=ed25519-sha256\r\n");
  ASSERT_TRUE(got) << got.error();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].name, "DKIM-Signature");
  EXPECT_EQ((*got)[0].value, " v=1; a=rsa-sha256;\n\tb=abc\n\tdef");  // LF folds for the MTA
  EXPECT_EQ((*got)[1].value, " v=1; a=ed25519-sha256");
  auto one = split_fields("DomainKey-Signature: a=rsa-sha1; q=dns\r\n");
  ASSERT_TRUE(one);
  EXPECT_EQ((*one)[0].name, "DomainKey-Signature");
  EXPECT_TRUE(split_fields("")->empty());
  EXPECT_FALSE(split_fields("not a field\r\n"));
  EXPECT_FALSE(split_fields("Bad Name: x\r\n"));
}

TEST(MilterSigning, RefusalsAsTheContentFilter) {
  EXPECT_EQ(sign_refusal(kTooManyFields), relay::problem_reply(relay::Problem::too_many_header_fields, 0));
  EXPECT_TRUE(sign_refusal(kTooManyFields).starts_with("552 5.3.4 "));
  EXPECT_TRUE(sign_refusal(kHeaderTooLarge).starts_with("552 5.3.4 "));
  EXPECT_TRUE(sign_refusal(kBareCrInHeader).starts_with("554 5.6.0 "));
  EXPECT_TRUE(sign_refusal(kBadFieldName).starts_with("554 5.6.0 "));
  EXPECT_NE(sign_refusal(kBareCrInHeader).find("bare CR"), std::string::npos);
}

}  // namespace
}  // namespace postseal::milter
