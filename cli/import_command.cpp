// import_command.cpp - `postseal import TOOL FILE [-o OUT]`: read the config of a tool postseal
// replaces and print (or write to OUT, never overwriting) the equivalent postseal.toml
// sections; every setting not carried over is listed on stderr as "FILE:LINE: SETTING: ..."
// and as '#' comments at the end of the output (docs/migration.md).
//
// Untrusted input: the source files (read only, at most migrate::kMaxSourceOctets each, never
// written). The output is loaded with the declared keys before it is printed, so what is
// printed is a config postseal reads. Postfix's mydomain (postconf -h mydomain) stands in for
// an unset SRS_DOMAIN, as postsrsd's start script does. Exit 0 (also with notes), 64 usage,
// 66 source unreadable, 73 OUT exists or cannot be made.
#include "cli/commands.hpp"

#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/read_file.hpp"
#include "core/util/text.hpp"
#include "import/importers.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

namespace postseal::cli {
namespace {

constexpr std::array kTools{"opendkim", "postsrsd", "policyd-spf", "smf-spf"};

struct ImportArgs {
  std::string tool;
  std::string source;
  std::string out;
};

std::expected<std::string, std::string> read_source_file(const std::string& path) {
  return read_local_file(path, migrate::kMaxSourceOctets, FileKind::regular);
}

// postfix_mydomain - `postconf -h mydomain`, "" when Postfix is not there.
std::string postfix_mydomain() {
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen("postconf -h mydomain 2>/dev/null", "r"), pclose);
  if (!p) return "";
  std::array<char, 256> buf{};
  std::string out = std::fgets(buf.data(), buf.size(), p.get()) ? buf.data() : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out == printable(out) ? out : "";  // a host name, or nothing
}

migrate::Result run_importer(const ImportArgs& a) {
  const migrate::ReadFile read = read_source_file;
  if (a.tool == "opendkim") return migrate::import_opendkim(a.source, read);
  if (a.tool == "postsrsd") return migrate::import_postsrsd(a.source, read, postfix_mydomain());
  if (a.tool == "policyd-spf") return migrate::import_policyd_spf(a.source, read);
  return migrate::import_smf_spf(a.source, read);
}

// write_new - `text` to a file that must not exist yet (O_EXCL), mode 0644.
void write_new(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    throw StartupError(kExitCantCreate,
                       errno == EEXIST
                           ? fmt::format("{} exists: not overwritten", path)
                           : fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int e = errno;
      ::close(fd);
      ::unlink(path.c_str());
      throw StartupError(kExitIoErr, fmt::format("cannot write {}: {}", path, std::strerror(e)));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0)
    throw StartupError(kExitIoErr, fmt::format("cannot write {}: {}", path, std::strerror(errno)));
}

int run_import(const ImportArgs& a) {
  const migrate::Result result = run_importer(a);
  const std::string text = migrate::render(result);
  try {
    config::File::parse(text, "import output");  // what we print must load
  } catch (const StartupError& e) {
    throw StartupError(
        kExitSoftware,
        fmt::format("internal error: the imported config does not load: {}", e.what()));
  }
  for (const auto& n : result.notes)
    std::fprintf(stderr, "postseal: import: %s: %s: not carried over: %s\n",
                 printable(n.where, 300).c_str(), n.setting.c_str(),
                 printable(n.reason, 400).c_str());
  if (a.out.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  write_new(a.out, text);
  std::fprintf(stderr,
               "postseal: import: wrote %s (%zu settings not carried over); check it with "
               "`postseal check-config -c %s`\n",
               a.out.c_str(), result.notes.size(), a.out.c_str());
  return kExitOk;
}

}  // namespace

void add_import_command(CLI::App& app, Runner& run) {
  auto args = std::make_shared<ImportArgs>();
  auto* sub = app.add_subcommand(
      "import",
      "Turn the config of a tool postseal replaces into postseal.toml sections (the source is only "
      "read):\n"
      "  opendkim FILE      opendkim.conf with its KeyTable and SigningTable -> [signer], "
      "[[signer.domain]], [[signer.sender]]\n"
      "  postsrsd FILE      postsrsd 1's /etc/default/postsrsd or postsrsd 2's postsrsd.conf -> "
      "[srs]\n"
      "  policyd-spf FILE   postfix-policyd-spf-python's policyd-spf.conf -> [verifier]\n"
      "  smf-spf FILE       smf-spf.conf -> [milter], [verifier]\n"
      "Prints the sections (or writes them with -o, never overwriting); each setting not carried "
      "over is\n"
      "listed on stderr and at the end of the output as FILE:LINE: SETTING: why. Check the result "
      "with\n"
      "`postseal check-config -c FILE`.");
  sub->add_option("tool", args->tool, "opendkim, postsrsd, policyd-spf or smf-spf")
      ->required()
      ->check(CLI::IsMember(std::vector<std::string>(kTools.begin(), kTools.end())));
  sub->add_option("file", args->source, "the tool's config file")->required();
  sub->add_option("-o,--output", args->out,
                  "write the sections to this new file (refused if it exists)");
  sub->callback([&run, args] { run = [args] { return run_import(*args); }; });
}

}  // namespace postseal::cli
