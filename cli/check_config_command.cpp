// check_config_command.cpp - `postseal check-config`: validate a config file like `postfix
// check`, before a daemon is started or reloaded with it.
//
// Untrusted input: the config file (local admin). Checks every key against the declarations
// of cli/config_keys.cpp (unknown keys, types, ranges, naming file and line), the size and
// kind of the file (config::kMaxFileOctets, not a directory), then runs what each daemon runs
// at start for the sections present (values, addresses, DNS servers, key and secrets files,
// users, duplicate signing domains, descriptor budget, metrics.listen). Exit 0 and "PATH: ok" (warnings on
// stderr), else every problem on stderr and exit 78.
#include "cli/commands.hpp"

#include "core/metrics/options.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "keys/rotation/settings.hpp"
#include "signer/commands.hpp"
#include "srs/commands.hpp"
#include "verifier/commands.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace postseal::cli {
namespace {

int check(const std::string& path) {
  const auto file = config::File::load(path);
  std::vector<std::string> all;
  for (auto checks : {signer::check_signer_config, srs::check_srs_config, verifier::check_service_config,
                      rotation::check_settings, metrics::check_config})
    for (auto& p : checks(file))
      if (std::find(all.begin(), all.end(), p) == all.end()) all.push_back(std::move(p));  // once per file
  int errors = 0;
  for (const auto& p : all) {
    const bool warning = p.starts_with("warning: ");
    errors += warning ? 0 : 1;
    std::fprintf(stderr, "postseal: %s%s\n", warning ? "warning: " : "",
                 config::located(file, warning ? p.substr(9) : p).c_str());
  }
  if (errors > 0) return kExitConfig;
  std::printf("%s: ok\n", file.source().c_str());
  return kExitOk;
}

}  // namespace

void add_check_config_command(CLI::App& app, Runner& run) {
  auto* sub = app.add_subcommand("check-config",
                                 "Check a postseal.toml as the daemons would at start: keys, types, ranges, "
                                 "values, addresses, key and secrets files, users");
  auto path = std::make_shared<std::string>(config::kDefaultPath);
  sub->add_option("-c,--config", *path, "config file to check")->capture_default_str();
  sub->callback([&run, path] { run = [path] { return check(*path); }; });
}

}  // namespace postseal::cli
