// milter_options_test.cpp - smf-spf's options in the milter front end (docs/compat.md, seed 003): the
// whitelist forms of smf-spf.conf (WhitelistPTR ".domain", WhitelistFrom "friend@" and
// "@domain") anchored so look-alike domains do not match, which results get the Subject tag
// and quarantine (fail and softfail, docs/compat.md, seed 003), the Subject edit, and the milter.* config
// keys with their limits (tag length, address entries, quarantine mailbox, socket mode and
// group, max_connections).
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "verifier/milter/milter.hpp"
#include "verifier/milter/session.hpp"

#include <gtest/gtest.h>

namespace postseal::milter {
namespace {

TEST(MilterOptions, AddressListedSmfSpfForms) {
  const std::vector<std::string> list{"friend@", "@friendly.example", "boss@corp.example", "partner.example",
                                      ".sub.example"};
  struct Case { std::string_view addr; bool want; };
  const Case cases[] = {
      {"friend@anywhere.example", true},       // "user@": that local part anywhere
      {"FRIEND@Anywhere.Example", true},       // case-insensitive
      {"bestfriend@anywhere.example", false},  // not a raw substring
      {"friendly@anywhere.example", false},
      {"x@friendly.example", true},            // "@domain": that domain
      {"x@mx.friendly.example", false},        // ... exactly
      {"x@friendly.example.evil.test", false}, // no substring match
      {"boss@corp.example", true},             // full address
      {"boss@corp.example.evil.test", false},
      {"other@corp.example", false},
      {"x@partner.example", true},             // bare domain: domain and subdomains
      {"x@mx.partner.example", true},
      {"x@notpartner.example", false},
      {"x@a.sub.example", true},               // ".domain": subdomains only
      {"x@sub.example", false},
      {"friend", false},                       // no '@': only full-address entries could match
      {"", false},
  };
  for (const auto& c : cases) EXPECT_EQ(address_listed(c.addr, list), c.want) << c.addr;
}

TEST(MilterOptions, AddressListedEmptyAndDegenerateEntries) {
  EXPECT_FALSE(address_listed("a@b.example", {}));
  EXPECT_FALSE(address_listed("a@b.example", {""}));
  EXPECT_FALSE(address_listed("nodomain", {"@"}));
  EXPECT_FALSE(address_listed("a@", {"a@"}));  // no domain: "user@" needs an address
}

TEST(MilterOptions, HostListedSmfSpfForms) {
  const std::vector<std::string> list{".friendlydomain.example", "friendlyhost.other.example"};
  struct Case { std::string_view name; bool want; };
  const Case cases[] = {
      {"mx.friendlydomain.example", true},   // ".domain": any host below it
      {"MX.FriendlyDomain.Example.", true},  // case, final dot
      {"friendlydomain.example", false},     // ... but not the domain itself
      {"mx.unfriendlydomain.example", false},
      {"friendlyhost.other.example", true},  // a host name
      {"a.friendlyhost.other.example", true},
      {"xfriendlyhost.other.example", false},
      {"friendlyhost.other.example.evil.test", false},
      {"unknown", false},                    // Postfix's "no validated name"
      {"", false},
  };
  for (const auto& c : cases) EXPECT_EQ(host_listed(c.name, list), c.want) << c.name;
}

Session decided(decision::Verdict v, std::optional<spf::SpfResult> mail_from, std::optional<spf::SpfResult> helo) {
  Session s;
  s.decided = true;
  s.decision.verdict = v;
  if (mail_from) {
    s.decision.mail_from.checked = true;
    s.decision.mail_from.outcome.result = *mail_from;
  }
  if (helo) {
    s.decision.helo.checked = true;
    s.decision.helo.outcome.result = *helo;
  }
  return s;
}

TEST(MilterOptions, FlaggedOnFailAndSoftfail) {
  using R = spf::SpfResult;
  using V = decision::Verdict;
  struct Case { const char* name; Session s; bool want; };
  Case cases[] = {
      {"reject verdict", decided(V::reject, R::fail, R::pass), true},
      {"accepted fail (mail_from_reject off)", decided(V::prepend, R::fail, R::pass), true},
      {"softfail", decided(V::prepend, R::softfail, R::none), true},
      {"pass", decided(V::prepend, R::pass, R::softfail), false},  // MAIL FROM is what is reported
      {"neutral", decided(V::prepend, R::neutral, std::nullopt), false},
      {"temperror", decided(V::defer_if_permit, R::temperror, std::nullopt), false},
      {"null sender, HELO softfail", decided(V::prepend, std::nullopt, R::softfail), true},
      {"null sender, HELO pass", decided(V::prepend, std::nullopt, R::pass), false},
      {"nothing checked", decided(V::prepend, std::nullopt, std::nullopt), false},
  };
  for (const auto& c : cases) EXPECT_EQ(spf_flagged(c.s), c.want) << c.name;
  Session skipped = decided(V::prepend, R::fail, std::nullopt);
  skipped.decision.skipped = "whitelisted";
  EXPECT_FALSE(spf_flagged(skipped));
  Session undecided;  // whitelisted client or sender: never asked
  EXPECT_FALSE(spf_flagged(undecided));
}

TEST(MilterOptions, SubjectEdit) {
  struct Case {
    std::vector<std::string> fields;
    std::string_view tag;
    bool replace;
    std::string value;
  };
  const Case cases[] = {
      {{"From: a@b", "Subject: hello"}, "[SPF:fail]", true, " [SPF:fail] hello"},
      {{"subject:hello"}, "[X]", true, " [X] hello"},
      {{"Subject: two\r\n lines"}, "[X]", true, " [X] two\n lines"},
      {{"Subject: first", "Subject: second"}, "[X]", true, " [X] first"},
      {{"Subject:"}, "[X]", true, " [X]"},
      {{"Subject:   "}, "[X]", true, " [X]"},
      {{"From: a@b"}, "[SPF:fail]", false, " [SPF:fail]"},
      {{}, "** SPF **", false, " ** SPF **"},
  };
  for (const auto& c : cases) {
    Session s;
    for (const auto& f : c.fields) add_field(s, mail::HeaderField{f}, "mx.test.local");
    auto got = subject_edit(s.subject, c.tag);
    EXPECT_EQ(got.replace, c.replace) << c.value;
    EXPECT_EQ(got.value, c.value);
  }
}

TEST(MilterOptions, SubjectPastTheFieldLimitIsStillReplaced) {
  Session s;
  for (std::size_t i = 0; i < mail::kMaxHeaderFields; ++i) add_field(s, mail::HeaderField{"X: y"}, "mx.test.local");
  EXPECT_FALSE(add_field(s, mail::HeaderField{"Subject: late"}, "mx.test.local"));  // not collected ...
  auto got = subject_edit(s.subject, "[X]");
  EXPECT_TRUE(got.replace);  // ... but still replaced, never a second Subject added
  EXPECT_EQ(got.value, " [X] late");
  s.reset_message();
  EXPECT_FALSE(s.subject);
}

config::File load(std::string_view text) {
  config::declare(config_keys());
  return config::File::parse(text, "test.toml");
}

TEST(MilterOptions, PolicyFromConfigDefaults) {
  auto p = policy_from_config(load(""));
  ASSERT_TRUE(p) << p.error();
  EXPECT_TRUE(p->refuse_fail);
  EXPECT_TRUE(p->tag_subject);
  EXPECT_EQ(p->tag, kDefaultTag);
  EXPECT_TRUE(p->add_header);
  EXPECT_TRUE(p->quarantine.empty());
  EXPECT_TRUE(p->whitelist_ip.empty());
}

TEST(MilterOptions, PolicyFromConfigValues) {
  auto p = policy_from_config(load(R"([milter]
refuse_fail = false
tag_subject = true
tag = "** SPF FAIL **"
add_header = false
quarantine_mailbox = "spam@quarantine.example"
whitelist_ip = ["203.0.113.0/24"]
whitelist_ptr = [".friendly.example", "Host.Other.Example."]
whitelist_from = ["friend@", "@partner.example"]
whitelist_to = ["postmaster@"]
)"));
  ASSERT_TRUE(p) << p.error();
  EXPECT_FALSE(p->refuse_fail);
  EXPECT_EQ(p->tag, "** SPF FAIL **");
  EXPECT_FALSE(p->add_header);
  EXPECT_EQ(p->quarantine, "spam@quarantine.example");
  EXPECT_TRUE(p->whitelist_ip.matches(asio::ip::make_address("203.0.113.9")));
  EXPECT_FALSE(p->whitelist_ip.matches(asio::ip::make_address("198.51.100.9")));
  EXPECT_EQ(p->whitelist_ptr, (std::vector<std::string>{".friendly.example", "host.other.example"}));
  EXPECT_TRUE(address_listed("friend@x.example", p->whitelist_from));
  EXPECT_TRUE(address_listed("postmaster@dest.example", p->whitelist_to));
}

TEST(MilterOptions, PolicyFromConfigRejectsBadValues) {
  struct Case { std::string text; std::string_view key; };
  const Case cases[] = {
      {"[milter]\ntag = \"\"\n", "milter.tag"},
      {"[milter]\ntag = \"" + std::string(kMaxTagOctets + 1, 'x') + "\"\n", "milter.tag"},
      {"[milter]\ntag = \"a\\u0007b\"\n", "milter.tag"},
      {"[milter]\nquarantine_mailbox = \"nobody\"\n", "milter.quarantine_mailbox"},
      {"[milter]\nquarantine_mailbox = \"a@b> NOTIFY=NEVER\"\n", "milter.quarantine_mailbox"},
      {"[milter]\nwhitelist_ip = [\"300.1.1.1\"]\n", "milter.whitelist_ip"},
      {"[milter]\nwhitelist_ptr = [\"a@b.example\"]\n", "milter.whitelist_ptr"},
      {"[milter]\nwhitelist_from = [\"a b@c.example\"]\n", "milter.whitelist_from"},
      {"[milter]\nwhitelist_from = [\"@\"]\n", "milter.whitelist_from"},
      {"[milter]\nwhitelist_to = [\"a@b@c.example\"]\n", "milter.whitelist_to"},
      {"[milter]\nwhitelist_to = [\"" + std::string(kMaxAddressEntryOctets, 'a') + "@x\"]\n", "milter.whitelist_to"},
  };
  for (const auto& c : cases) {
    auto p = policy_from_config(load(c.text));
    ASSERT_FALSE(p) << c.text;
    EXPECT_NE(p.error().find(c.key), std::string::npos) << p.error();
  }
}

TEST(MilterOptions, TagLimitHoldsAtTheBoundary) {
  auto p = policy_from_config(load("[milter]\ntag = \"" + std::string(kMaxTagOctets, 'x') + "\"\n"));
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->tag.size(), kMaxTagOctets);
}

TEST(MilterSocket, OptionsFromConfigDefaults) {
  auto o = socket_options_from_config(load(""));
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->mode, 0660u);
  EXPECT_EQ(o->group, "postfix");
  EXPECT_TRUE(o->group_from_default);
  EXPECT_EQ(load("").integer("milter.max_connections"), kDefaultMaxConnections);
}

TEST(MilterSocket, OptionsFromConfigValues) {
  auto o = socket_options_from_config(load("[milter]\nsocket_mode = \"0600\"\nsocket_group = \"mail\"\n"));
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->mode, 0600u);
  EXPECT_EQ(o->group, "mail");
  EXPECT_FALSE(o->group_from_default);
  // a configured "postfix" is configured: its absence would be an error
  auto p = socket_options_from_config(load("[milter]\nsocket_group = \"postfix\"\n"));
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->group_from_default);
  EXPECT_EQ(socket_options_from_config(load("[milter]\nsocket_mode = \"777\"\n"))->mode, 0777u);
}

TEST(MilterSocket, OptionsFromConfigRejectsBadValues) {
  for (std::string_view text : {"socket_mode = \"0800\"", "socket_mode = \"01000\"", "socket_mode = \"\"",
                                "socket_mode = \"rw\"", "socket_mode = \"0660 \"", "socket_group = \"a b\"",
                                "socket_group = \"a:b\""}) {
    auto o = socket_options_from_config(load("[milter]\n" + std::string(text) + "\n"));
    ASSERT_FALSE(o) << text;
    EXPECT_NE(o.error().find(std::string(text.substr(0, text.find(' ')))), std::string::npos) << o.error();
  }
}

TEST(MilterSocket, MaxConnectionsBoundsHold) {
  EXPECT_EQ(load("[milter]\nmax_connections = 10000\n").integer("milter.max_connections"), kMaxMaxConnections);
  EXPECT_ANY_THROW(load("[milter]\nmax_connections = 10001\n"));
  EXPECT_ANY_THROW(load("[milter]\nmax_connections = 0\n"));
}

}  // namespace
}  // namespace postseal::milter
