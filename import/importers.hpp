// importers.hpp - `postseal import TOOL FILE`: the config of a tool postseal replaces, turned
// into the equivalent postseal.toml sections (docs/migration.md).
//
// One importer per tool, one file each: opendkim.cpp (opendkim.conf with its KeyTable and
// SigningTable -> [signer] and [[signer.domain]]), postsrsd.cpp (postsrsd 1's
// /etc/default/postsrsd and postsrsd 2's postsrsd.conf -> [srs]), policyd_spf.cpp
// (policyd-spf.conf -> [verifier], [spf]), smf_spf.cpp (smf-spf.conf -> [milter], [verifier]).
// Each reads only (through the injected ReadFile), never writes; every setting that has no
// postseal equivalent is a Note naming FILE:LINE. Untrusted input: the files (local admin,
// written for another program): read with the tool's own line rules (config_lines.hpp), at
// most kMaxSourceOctets each; values are written as TOML strings, never as TOML text.
#pragma once

#include "import/output.hpp"

#include <string>
#include <string_view>

namespace postseal::migrate {

Result import_opendkim(const std::string& path, const ReadFile& read);
// import_postsrsd - either format, told apart by its content (NAME=value lines: postsrsd 1's
// /etc/default file; name = value: postsrsd 2). `mydomain` is Postfix's mydomain, which
// postsrsd 1's start script uses when SRS_DOMAIN is not set ("" when unknown).
Result import_postsrsd(const std::string& path, const ReadFile& read, std::string_view mydomain);
Result import_policyd_spf(const std::string& path, const ReadFile& read);
Result import_smf_spf(const std::string& path, const ReadFile& read);

}  // namespace postseal::migrate
