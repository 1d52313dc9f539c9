// config_file_fuzz.cpp - fuzz the config reader (core/util/config.hpp): postseal.toml text
// through toml++ and the check of every key against the declarations (unknown keys, types,
// integer bounds), then the getters and the section readers that need no files or sockets
// (DKIM verify options, DNS options, the proxy's relay settings).
//
// Untrusted input: the config file (a local admin's, but typos and odd files are common).
// Inputs over kMaxInputOctets are skipped (the reader's own cap, config::kMaxFileOctets, is a
// unit test's; larger inputs only slow the fuzzer). A refused file must be a StartupError
// (exit 78 naming the file and line); any other exception escapes and is a finding. Checked
// on every accepted file: every declared integer key reads within its declared bounds, every
// declared key of every [[table]] reads without throwing.
// No network, no files, deterministic.
#include "core/dkim/message_verifier.hpp"
#include "core/dns/resolver_factory.hpp"
#include "core/relay/relay_config.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "verifier/proxy/proxy.hpp"

// The fuzz targets link the product libraries, not the command-line one: the one list of key
// groups is compiled in here.
#include "cli/config_keys.cpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

constexpr std::size_t kMaxInputOctets = 64 * 1024;

using postseal::config::Key;
using postseal::config::Type;

void check_scalar(const postseal::config::File& f, const Key& k) {
  switch (k.type) {
    case Type::boolean: (void)f.boolean(k.path); break;
    case Type::integer: {
      auto v = f.integer(k.path);
      if ((k.min != 0 || k.max != 0) && (v < k.min || v > k.max)) std::abort();
      break;
    }
    case Type::string: (void)f.string(k.path); break;
    case Type::strings: (void)f.strings(k.path); break;
    case Type::tables: (void)f.tables(k.path); break;
  }
  (void)f.has(k.path);
  (void)f.where(k.path);
}

// check_table_key - "section.table[].key": read it in every table of the file.
void check_table_key(const postseal::config::File& f, const Key& k, std::size_t brackets) {
  std::string_view path = k.path;
  std::string_view table_path = path.substr(0, brackets);
  std::string_view key = path.substr(brackets + 3);  // after "[]."
  for (const auto* t : f.tables(table_path)) {
    switch (k.type) {
      case Type::boolean: (void)postseal::config::table_boolean(*t, key, path); break;
      case Type::integer: {
        auto v = postseal::config::table_integer(*t, key, path);
        if ((k.min != 0 || k.max != 0) && (v < k.min || v > k.max)) std::abort();
        break;
      }
      case Type::string: (void)postseal::config::table_string(*t, key, path); break;
      case Type::strings: (void)postseal::config::table_strings(*t, key, path); break;
      case Type::tables: break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInputOctets) return 0;
  static const bool declared = [] {
    postseal::cli::declare_all_config_keys();
    postseal::config::declare(postseal::proxy::config_keys());
    return true;
  }();
  (void)declared;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  postseal::config::File f;
  try {
    f = postseal::config::File::parse(text, "fuzz.toml");
  } catch (const postseal::StartupError&) {
    return 0;
  }
  for (const auto& k : postseal::config::declared()) {
    auto brackets = k.path.find("[]");
    if (brackets == std::string_view::npos)
      check_scalar(f, k);
    else
      check_table_key(f, k, brackets);
  }
  try {
    (void)postseal::dkim::options_from_config(f);
    postseal::dns::ResolverOptions dns;
    postseal::dns::apply_config(f, dns);
    (void)postseal::relay::load_relay_config(&f, "proxy", postseal::proxy::proxy_defaults());
  } catch (const postseal::StartupError&) {
  }
  return 0;
}
