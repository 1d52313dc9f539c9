// dk_peer_test.cpp - DomainKeys messages exchanged with a peer implementation (Mail::DKIM).
//
// PeerSigned verifies every *.pass.eml / *.fail.eml in a directory with our verifier, the key
// record coming from key.txt in that directory: by default the Mail::DKIM-signed vectors in
// tests/data/domainkeys/maildkim/ (made by tests/interop/domainkeys/maildkim.pl), or the
// directory in $DK_PEER_DIR when tests/interop/dk_maildkim.sh runs it on fresh signatures.
// SignForPeer signs every message of tests/data/domainkeys/messages/ in both
// canonicalizations, with and without h=: into $DK_SIGN_OUT when set (for Mail::DKIM to
// verify), and in every case checks that our verifier passes them and fails tampered copies.
#include "dk_test_util.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

namespace postseal::domainkeys {
namespace {

namespace fs = std::filesystem;
using dkim::Result;

std::vector<fs::path> files_ending(const fs::path& dir, const std::string& suffix) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().ends_with(suffix)) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::unique_ptr<dns::MemoryZone> zone_for(const std::string& record) {
  auto zone = std::make_unique<dns::MemoryZone>();
  test::add_txt(*zone, "sel._domainkey.example.com", record);
  return zone;
}

TEST(DkPeer, PeerSignedMessagesVerify) {
  const char* env = std::getenv("DK_PEER_DIR");
  fs::path dir = env ? fs::path(env) : fs::path(test::data_path("maildkim"));
  auto zone = zone_for(test::trim_newline(test::read_file((dir / "key.txt").string())));
  auto files = files_ending(dir, ".eml");
  ASSERT_GE(files.size(), 8u) << "too few vectors in " << dir;
  std::size_t passes = 0, fails = 0;
  for (const auto& path : files) {
    bool want_pass = path.filename().string().ends_with(".pass.eml");
    auto m = test::split_message(test::read_file(path.string()));
    auto r = test::verify(m.fields, m.body, *zone, 1000);
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(r->result, want_pass ? Result::pass : Result::fail)
        << path.filename() << ": " << format_result(*r);
    (want_pass ? passes : fails)++;
  }
  EXPECT_GT(passes, 0u);
  EXPECT_GT(fails, 0u);
}

TEST(DkPeer, SignForPeer) {
  const char* out_env = std::getenv("DK_SIGN_OUT");
  auto zone = zone_for("k=rsa; p=" + test::test_public_key());
  auto inputs = files_ending(test::data_path("messages"), ".eml");
  ASSERT_GE(inputs.size(), 5u);
  for (const auto& path : inputs) {
    std::string text = test::read_file(path.string());
    auto m = test::split_message(text);
    for (DkCanon canon : {DkCanon::nofws, DkCanon::simple}) {
      for (bool list : {true, false}) {
        auto field = test::sign(m, {canon, list});
        ASSERT_TRUE(field.has_value()) << path << ": " << field.error();
        std::string signed_text = *field + text;
        auto s = test::split_message(signed_text);
        auto r = test::verify(s.fields, s.body, *zone, 13);
        EXPECT_EQ(r->result, Result::pass) << path << " " << to_string(canon) << " " << r->reason;
        std::string tampered = signed_text + (signed_text.ends_with("\r\n") ? "" : "\r\n") +
                               "tampered\r\n";
        auto t = test::split_message(tampered);
        EXPECT_EQ(test::verify(t.fields, t.body, *zone)->result, Result::fail) << path;
        if (out_env) {
          std::string base = std::string(out_env) + "/" + path.stem().string() + "." +
                             std::string(to_string(canon)) + (list ? ".h" : ".all");
          std::ofstream(base + ".pass.eml", std::ios::binary) << signed_text;
          std::ofstream(base + ".fail.eml", std::ios::binary) << tampered;
        }
      }
    }
  }
}

}  // namespace
}  // namespace postseal::domainkeys
