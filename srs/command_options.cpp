// command_options.cpp - options shared by `postseal srs` and `postseal srsd` (see
// command_options.hpp).
#include "srs/command_options.hpp"

#include "core/util/errors.hpp"
#include "core/util/hostname.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace postseal::srs {

config::File load_config(const Options& o) { return config::File::load_or_default(o.config); }

std::string pick(const std::optional<std::string>& flag, const config::File& f, std::string_view key) {
  return flag ? *flag : f.string(key);
}

int pick(const std::optional<int>& flag, const config::File& f, std::string_view key) {
  return flag ? *flag : static_cast<int>(f.integer(key));
}

std::string srs_domain(const Options& o, const config::File& f) {
  std::string domain = pick(o.domain, f, "srs.domain");
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  if (domain.empty()) return domain;
  if (auto bad = check_hostname(domain, LabelChars::ldh)) {
    std::string why(to_string(bad->problem));
    if (bad->problem == NameProblem::bad_character) why += fmt::format(" 0x{:02x}", static_cast<unsigned char>(bad->character));
    throw usage_error(fmt::format("SRS domain (--domain or srs.domain) '{}' is not a host name: {}", domain, why));
  }
  return domain;
}

SrsOptions srs_options(const Options& o, const config::File& f) {
  SrsOptions s;
  const std::string sep = pick(o.separator, f, "srs.separator");
  if (sep.size() != 1) throw usage_error("separator must be one character: = + or -");
  s.separator = sep[0];
  s.hash_length = pick(o.hash_length, f, "srs.hash_length");
  s.max_age = pick(o.max_age, f, "srs.max_age");
  if (auto ok = check_options(s); !ok) throw usage_error(ok.error());
  return s;
}

std::optional<net::Endpoint> endpoint(const std::string& text, std::string_view what) {
  if (text.empty()) return std::nullopt;
  auto ep = net::parse_endpoint(text);
  if (!ep) throw usage_error(fmt::format("{} '{}': {}", what, text, ep.error()));
  return *ep;
}

void add_scheme_options(CLI::App* sub, Options& o) {
  sub->add_option("-c,--config", o.config,
                  "postseal.toml to read [srs] settings from (default /etc/postseal/postseal.toml if present)");
  sub->add_option("--domain", o.domain, "SRS domain (srs.domain)");
  sub->add_option("--secrets-file", o.secrets_file, "secrets file, mode 0600 (srs.secrets_file)");
  sub->add_option("--separator", o.separator, "= + or - (srs.separator, default =)");
  sub->add_option("--hash-length", o.hash_length, "hash characters (srs.hash_length, default 4)");
  sub->add_option("--max-age", o.max_age, "days an address stays valid (srs.max_age, default 21)");
}

}  // namespace postseal::srs
