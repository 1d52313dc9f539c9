// whitelist.cpp - postgrey's whitelist files (see whitelist.hpp).
#include "verifier/greylist/whitelist.hpp"

#include "core/util/errors.hpp"
#include "core/util/read_file.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>

namespace postseal::greylist {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// clean - a line without its comment and surrounding white space (postgrey: s/#.*$//).
std::string_view clean(std::string_view line) {
  line = line.substr(0, line.find('#'));
  while (!line.empty() && is_space(line.front())) line.remove_prefix(1);
  while (!line.empty() && is_space(line.back())) line.remove_suffix(1);
  return line;
}

bool has_space(std::string_view s) {
  for (char c : s)
    if (is_space(c)) return true;
  return false;
}

bool all_digits_and_dots(std::string_view s, int& dots) {
  dots = 0;
  if (s.empty()) return false;
  for (char c : s) {
    if (c == '.')
      ++dots;
    else if (c < '0' || c > '9')
      return false;
  }
  return true;
}

// regex_entry - "/re/" -> the compiled expression (ignore case); nullopt if not that form.
std::optional<std::regex> regex_entry(std::string_view entry, std::string_view where) {
  if (entry.size() < 3 || entry.front() != '/' || entry.back() != '/') return std::nullopt;
  auto body = entry.substr(1, entry.size() - 2);
  try {
    return std::regex(body.begin(), body.end(), std::regex::ECMAScript | std::regex::icase |
                                                    std::regex::optimize);
  } catch (const std::regex_error& e) {
    throw config_error(fmt::format("{}: bad regular expression '{}': {}", where, printable(body, 100), e.what()));
  }
}

// address_entry - an IPv4 or IPv6 address or network, postgrey's partial IPv4 forms
// included; nullopt if the entry does not look like an address (then it is a name).
std::optional<net::Cidr> address_entry(std::string_view entry, std::string_view where) {
  auto slash = entry.find('/');
  int dots = 0;
  bool v4 = all_digits_and_dots(entry.substr(0, slash), dots);
  bool v6 = entry.find(':') != std::string_view::npos;
  if (!v4 && !v6) return std::nullopt;
  std::string text(entry);
  if (v4 && slash == std::string_view::npos && dots == 2) text += ".0/24";
  if (v4 && slash == std::string_view::npos && dots == 1) text += ".0.0/16";
  if (v4 && dots < 1) return std::nullopt;  // "12345": a (strange) host name
  auto cidr = net::parse_cidr(text);
  if (!cidr) throw config_error(fmt::format("{}: bad address: {}", where, cidr.error()));
  return *cidr;
}

// read_lines - every entry of the files with its "FILE:LINE"; a missing optional file is
// skipped, any other problem is a start-up error naming the file.
void read_lines(const std::vector<WhitelistFile>& files,
                const std::function<void(std::string_view, std::string_view)>& add) {
  for (const auto& file : files) {
    std::error_code ec;
    if (!file.required && !std::filesystem::exists(file.path, ec)) continue;
    auto text = read_local_file(file.path, kMaxWhitelistFileOctets, FileKind::regular);
    if (!text) throw config_error(fmt::format("greylist whitelist {}: {}", file.path, text.error()));
    std::string_view rest = *text;
    for (std::size_t number = 1; !rest.empty(); ++number) {
      auto end = rest.find('\n');
      auto line = rest.substr(0, end);
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
      add(line, fmt::format("{}:{}", file.path, number));
    }
  }
}

// check_room - a list may not grow past kMaxWhitelistEntries.
void check_room(std::size_t size, std::string_view where) {
  if (size >= kMaxWhitelistEntries)
    throw config_error(fmt::format("{}: more than {} whitelist entries", where, kMaxWhitelistEntries));
}

// under - `name` is `domain` or a name below it.
bool under(std::string_view name, std::string_view domain) {
  if (name.size() == domain.size()) return name == domain;
  return name.size() > domain.size() && name.ends_with(domain) && name[name.size() - domain.size() - 1] == '.';
}

bool search(const std::vector<std::regex>& patterns, std::string_view text) {
  for (const auto& re : patterns)
    if (std::regex_search(text.begin(), text.end(), re)) return true;
  return false;
}

}  // namespace

void ClientWhitelist::add_line(std::string_view line, std::string_view where) {
  auto entry = clean(line);
  if (entry.empty()) return;
  check_room(size(), where);
  if (has_space(entry))
    throw config_error(fmt::format("{}: '{}' does not look like a host name, address or /regex/", where,
                                   printable(entry, 100)));
  if (auto re = regex_entry(entry, where)) return patterns_.push_back(std::move(*re));
  if (auto cidr = address_entry(entry, where)) return networks_.push_back(*cidr);
  if (entry.find('/') != std::string_view::npos)
    throw config_error(fmt::format("{}: '{}' does not look like a host name, address or /regex/", where,
                                   printable(entry, 100)));
  auto name = to_lower(entry);
  if (name.ends_with('.')) name.pop_back();
  names_.push_back(std::move(name));
}

void ClientWhitelist::load(const std::vector<WhitelistFile>& files) {
  read_lines(files, [this](std::string_view line, std::string_view where) { add_line(line, where); });
}

bool ClientWhitelist::matches(std::string_view client_name, const asio::ip::address& ip) const {
  for (const auto& cidr : networks_)
    if (cidr.contains(ip)) return true;
  if (client_name.empty()) return false;
  auto name = to_lower(client_name.substr(0, kMaxMatchOctets));
  for (const auto& domain : names_)
    if (under(name, domain)) return true;
  return search(patterns_, name);
}

void RecipientWhitelist::add_line(std::string_view line, std::string_view where) {
  auto entry = clean(line);
  if (entry.empty()) return;
  check_room(size(), where);
  if (has_space(entry))
    throw config_error(fmt::format("{}: '{}' does not look like an address, domain or /regex/", where,
                                   printable(entry, 100)));
  if (auto re = regex_entry(entry, where)) return patterns_.push_back(std::move(*re));
  auto lower = to_lower(entry);
  Entry e;
  auto at = lower.find('@');
  if (at == std::string::npos) {
    e.domain = lower;
  } else {
    e.user = lower.substr(0, at);
    e.domain = lower.substr(at + 1);
    e.any_domain = e.domain.empty();
  }
  entries_.push_back(std::move(e));
}

void RecipientWhitelist::load(const std::vector<WhitelistFile>& files) {
  read_lines(files, [this](std::string_view line, std::string_view where) { add_line(line, where); });
}

bool RecipientWhitelist::matches(std::string_view recipient) const {
  auto r = to_lower(recipient.substr(0, kMaxMatchOctets));
  auto at = r.find('@');
  std::string_view user = at == std::string::npos ? std::string_view() : std::string_view(r).substr(0, at);
  std::string_view domain = at == std::string::npos ? std::string_view(r) : std::string_view(r).substr(at + 1);
  std::string_view base = user.substr(0, user.find('+'));
  for (const auto& e : entries_) {
    if (e.user.empty()) {
      if (at != std::string::npos && under(domain, e.domain)) return true;
    } else if (at != std::string::npos && (user == e.user || base == e.user)) {
      if (e.any_domain || domain == e.domain) return true;
    }
  }
  return search(patterns_, r);
}

}  // namespace postseal::greylist
