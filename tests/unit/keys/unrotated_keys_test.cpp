// unrotated_keys_test.cpp - keys/unrotated_keys.hpp: `postseal keys status` lists every
// [[signer.sender]] key as not rotated, with its address, d= (the row's domain, else the
// address's) and selector, filtered by --domain.
#include "signer/commands.hpp"
#include "core/util/config.hpp"
#include "keys/unrotated_keys.hpp"

#include <gtest/gtest.h>

namespace postseal::keys {
namespace {

TEST(UnrotatedKeys, SenderRowKeysAreListedAsNotRotated) {
  config::declare(signer::filter_config_keys());
  auto file = config::File::parse(
      "[[signer.domain]]\nname = \"example.com\"\nkeys = [\"s1:/k/s1\"]\n"
      "[[signer.sender]]\naddress = \"Alice@Example.com\"\nkeys = [\"alice1:/k/alice\", \"alice2:/k/alice2\"]\n"
      "[[signer.sender]]\naddress = \"*@*.shop.example\"\ndomain = \"example.org\"\nkeys = [\"shop:/k/shop\"]\n",
      "test.toml");
  auto all = unrotated_keys(file, "");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].d, "example.com");
  EXPECT_EQ(all[1].selector, "alice2");
  EXPECT_EQ(all[2].d, "example.org");
  EXPECT_EQ(status_line(all[0]),
            "Alice@Example.com example.com alice1: not rotated: a [[signer.sender]] key signs as configured "
            "(/k/alice); replace it by hand");
  EXPECT_EQ(unrotated_keys(file, "example.org").size(), 1u);
  EXPECT_TRUE(unrotated_keys(file, "example.net").empty());
}

}  // namespace
}  // namespace postseal::keys
