// opendkim_tables.cpp - OpenDKIM's KeyTable and SigningTable data sets (see
// opendkim_tables.hpp).
#include "import/opendkim_tables.hpp"

#include "core/util/text.hpp"
#include "import/config_lines.hpp"

#include <fmt/format.h>

namespace postseal::migrate {
namespace {

constexpr std::string_view kDatabasePrefixes[] = {
    "db:", "dsn:", "ldap:", "ldaps:", "ldapi:", "lua:", "memcache:", "mdb:", "erlang:"};

void read_file_rows(Dataset& d, const std::string& at, const ReadFile& read, Result& r) {
  auto text = read(d.path);
  if (!text || text->size() > kMaxSourceOctets) {
    r.note(at, d.path,
           fmt::format("cannot read the table ({}): nothing from it is carried over",
                       text ? "too large" : text.error()));
    return;
  }
  const ReadSettings rs = read_settings(*text, Syntax::name_value);
  for (const auto& s : rs.settings) d.rows.push_back({s.name, s.value, where(d.path, s.line)});
  note_malformed(r, d.path, rs.malformed);
}

}  // namespace

Dataset read_dataset(const std::string& value, const std::string& at, const ReadFile& read,
                     Result& r) {
  Dataset d;
  for (auto prefix : kDatabasePrefixes)
    if (value.starts_with(prefix)) {
      d.kind = DatasetKind::unsupported;
      r.note(at, value,
             "a database-backed data set: export it to a file (file: or refile:) and import again");
      return d;
    }
  if (value.starts_with("refile:")) {
    d.kind = DatasetKind::refile;
    d.path = value.substr(7);
  } else if (value.starts_with("file:")) {
    d.kind = DatasetKind::file;
    d.path = value.substr(5);
  } else if (value.starts_with("/") || value.starts_with("./") || value.starts_with("../")) {
    d.kind = DatasetKind::file;
    d.path = value;
  } else if (value.ends_with(".db")) {
    d.kind = DatasetKind::unsupported;
    r.note(at, value, "a Berkeley DB data set: export it to a file and import again");
    return d;
  }
  if (d.kind != DatasetKind::list) {
    read_file_rows(d, at, read, r);
    return d;
  }
  std::string_view list = value;
  if (list.starts_with("csl:")) list.remove_prefix(4);
  for (const auto& item : split_items(list, ",")) {
    auto split = item.find_first_of(" \t=");
    std::string key = item.substr(0, split);
    std::string rest = split == std::string::npos
                           ? ""
                           : std::string(trim(std::string_view(item).substr(split + 1)));
    d.rows.push_back({key, rest, at});
  }
  return d;
}

std::vector<KeyRow> key_rows(const Dataset& keytable, Result& r) {
  std::vector<KeyRow> out;
  for (const auto& row : keytable.rows) {
    auto first = row.value.find(':');
    auto second = first == std::string::npos ? first : row.value.find(':', first + 1);
    if (second == std::string::npos) {
      r.note(row.at, row.key + " " + row.value, "not DOMAIN:SELECTOR:KEY (OpenDKIM refuses it)");
      continue;
    }
    out.push_back({row.key, row.value.substr(0, first),
                   row.value.substr(first + 1, second - first - 1), row.value.substr(second + 1),
                   row.at});
  }
  return out;
}

SenderMatch classify(const std::string& key, DatasetKind kind) {
  if (key == "*") return {Match::everything, ""};
  const auto at = key.find('@');
  const bool wildcard = key.find('*') != std::string::npos;
  if (kind == DatasetKind::refile) {
    if (at == std::string::npos) return {wildcard ? Match::other : Match::never, ""};
    const std::string user = key.substr(0, at), host = key.substr(at + 1);
    if (host.find('*') == std::string::npos && user == "*") return {Match::domain, to_lower(host)};
    if (user == "*" && host.starts_with("*.") && host.find('*', 1) == std::string::npos)
      return {Match::subdomains, to_lower(host.substr(2))};
    if (!wildcard) return {Match::address, to_lower(host)};
    return {Match::other, to_lower(host)};
  }
  // file, list: exact keys looked up as user@host, host, user@.domain, .domain, user@*, *.
  if (at == std::string::npos) {
    if (wildcard) return {Match::never, ""};
    if (key.starts_with(".")) return {Match::subdomains, to_lower(key.substr(1))};
    return {Match::domain, to_lower(key)};
  }
  if (wildcard && key.substr(at + 1) != "*") return {Match::never, ""};
  return {Match::address, to_lower(key.substr(at + 1))};
}

}  // namespace postseal::migrate
