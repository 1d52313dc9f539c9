// commands.hpp - the subcommands that belong to no capability folder (see
// core/util/command.hpp):
//   check-config   cli/check_config_command.cpp
//   dns-lookup     cli/dns_lookup_command.cpp
//   dmarc          cli/dmarc_command.cpp
//   dmarc report   cli/dmarc_report_command.cpp
//   dmarc suppress cli/dmarc_suppress_command.cpp
//   dmarc bounce   cli/dmarc_bounce_command.cpp
//   import         cli/import_command.cpp (the importers are import/)
//   greylist       cli/greylist_command.cpp
#pragma once

#include "core/util/command.hpp"

namespace postseal::cli {

void add_check_config_command(CLI::App& app, Runner& run);
void add_dns_lookup_command(CLI::App& app, Runner& run);
void add_dmarc_command(CLI::App& app, Runner& run);
// add_dmarc_report_command - `report` under the `dmarc` subcommand.
void add_dmarc_report_command(CLI::App& dmarc, Runner& run);
// add_dmarc_suppress_command - `suppress` under the `dmarc` subcommand.
void add_dmarc_suppress_command(CLI::App& dmarc, Runner& run);
// add_dmarc_bounce_command - `bounce` under the `dmarc` subcommand.
void add_dmarc_bounce_command(CLI::App& dmarc, Runner& run);
void add_import_command(CLI::App& app, Runner& run);
void add_greylist_command(CLI::App& app, Runner& run);

}  // namespace postseal::cli
