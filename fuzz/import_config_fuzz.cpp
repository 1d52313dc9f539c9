// import_config_fuzz.cpp - fuzz `postseal import` (import/): the first input byte picks the
// importer (opendkim, postsrsd 1 or 2, policyd-spf, smf-spf) and, for OpenDKIM, whether the
// rest is opendkim.conf or the KeyTable/SigningTable it names; the rest is the file.
//
// Untrusted input: a config file written for another program. Checked on every input: the
// import never throws (the source was read), and its rendered output always loads as
// postseal.toml with the declared keys (config::File::parse): no value from the source can
// break out of a TOML string or comment. Inputs over kMaxInputOctets are skipped (the
// importers' own cap, kMaxSourceOctets, is a unit test's). No network, no files.
#include "cli/config_keys.hpp"
#include "core/util/config.hpp"
#include "import/importers.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

constexpr std::size_t kMaxInputOctets = 64 * 1024;

// kTablesConf - an opendkim.conf naming the tables the input stands for.
constexpr std::string_view kTablesConf =
    "KeyTable /fuzz/KeyTable\nSigningTable refile:/fuzz/SigningTable\nMultipleSignatures yes\n"
    "OversignHeaders From,List-Id\nDomain example.com\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > kMaxInputOctets) return 0;
  static const bool declared = [] {
    postseal::cli::declare_all_config_keys();
    return true;
  }();
  (void)declared;
  using namespace postseal::migrate;
  const unsigned choice = data[0] % 6;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const ReadFile read = [&](const std::string& path) -> std::expected<std::string, std::string> {
    if (path == "/fuzz/source") return choice == 5 ? std::string(kTablesConf) : text;
    if (path == "/fuzz/KeyTable" || path == "/fuzz/SigningTable") return text;
    return std::unexpected("No such file or directory");
  };
  Result r;
  switch (choice) {
    case 0: r = import_opendkim("/fuzz/source", read); break;
    case 1: r = import_postsrsd("/fuzz/source", read, "example.org"); break;
    case 2: r = import_postsrsd("/fuzz/source", read, ""); break;
    case 3: r = import_policyd_spf("/fuzz/source", read); break;
    case 4: r = import_smf_spf("/fuzz/source", read); break;
    default: r = import_opendkim("/fuzz/source", read); break;
  }
  try {
    (void)postseal::config::File::parse(render(r), "import output");
  } catch (...) {
    std::abort();  // the output must always load
  }
  (void)render_notes(r);
  return 0;
}
