// opendkim_tables.hpp - OpenDKIM's data sets as `postseal import opendkim` needs them: the
// KeyTable (name -> domain:selector:key) and the SigningTable (sender pattern -> key name),
// read from "file:", "refile:", a plain path or "csl:"/comma lists (opendkim(8) DATA SETS).
// Database-backed sets (db:, dsn:, ldap:, lua:, memcache:, mdb:, erlang:) are not read.
// Untrusted input: the table files (config_lines.hpp's "name value" rules, kMaxSourceOctets).
#pragma once

#include "import/output.hpp"

#include <optional>
#include <string>
#include <vector>

namespace postseal::migrate {

enum class DatasetKind { file, refile, list, unsupported };

// TableRow - one "key value" row of a data set and where it is.
struct TableRow {
  std::string key;
  std::string value;
  std::string at;  // "FILE:LINE"
};

struct Dataset {
  DatasetKind kind = DatasetKind::list;
  std::string path;  // file and refile
  std::vector<TableRow> rows;
};

// read_dataset - the rows of a data set value (`at` names the config line); a file that cannot
// be read, or an unsupported kind, is a note and gives no rows.
Dataset read_dataset(const std::string& value, const std::string& at, const ReadFile& read,
                     Result& r);

// KeyRow - one KeyTable entry.
struct KeyRow {
  std::string name, domain, selector, key;  // key: a path, or PEM/base64 key material
  std::string at;
};
std::vector<KeyRow> key_rows(const Dataset& keytable, Result& r);

// SenderMatch - what a SigningTable key matches, in postseal's terms.
enum class Match {
  domain,      // every sender of `domain`
  subdomains,  // senders of domains below `domain`
  address,     // one address (or user@domain pattern)
  everything,  // "*"
  never,       // a pattern this kind of table never matches
  other,       // a wildcard pattern postseal cannot express
};
struct SenderMatch {
  Match match;
  std::string domain;
};
SenderMatch classify(const std::string& key, DatasetKind kind);

}  // namespace postseal::migrate
