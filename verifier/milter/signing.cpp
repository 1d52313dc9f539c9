// signing.cpp - milter.mode, internal sources, signature fields for the MTA (see signing.hpp).
#include "verifier/milter/signing.hpp"

#include "core/mail/header.hpp"
#include "core/relay/message_assembler.hpp"
#include "core/util/config.hpp"
#include "core/util/log.hpp"
#include "core/util/text.hpp"
#include "signer/filter/rotated_keys.hpp"
#include "verifier/milter/session.hpp"

#include <fmt/format.h>

namespace postseal::milter {

std::expected<Mode, std::string> parse_mode(std::string_view text) {
  if (text == "verify") return Mode::verify;
  if (text == "sign") return Mode::sign;
  if (text == "sign+verify") return Mode::sign_verify;
  return std::unexpected(fmt::format("'{}' is not verify, sign or sign+verify", printable(text, 40)));
}

std::string_view to_string(Mode mode) {
  switch (mode) {
    case Mode::verify: return "verify";
    case Mode::sign: return "sign";
    case Mode::sign_verify: return "sign+verify";
  }
  return "verify";
}

std::optional<std::string> internal_reason(const Signing& signing, const Origin& origin) {
  if (origin.client && signing.internal_hosts.matches(*origin.client))
    return fmt::format("client {} in milter.internal_hosts", origin.client->to_string());
  if (!origin.sasl_username.empty()) return fmt::format("authenticated as {}", origin.sasl_username);
  for (const auto& name : signing.sign_daemons)
    if (!origin.daemon_name.empty() && iequals(name, origin.daemon_name))
      return fmt::format("daemon {} in milter.sign_daemons", origin.daemon_name);
  return std::nullopt;
}

namespace {

// daemon_names - milter.sign_daemons, each a printable token.
std::expected<std::vector<std::string>, std::string> daemon_names(const config::File& file) {
  auto names = file.strings("milter.sign_daemons");
  if (names.size() > kMaxSignDaemons)
    return std::unexpected(fmt::format("milter.sign_daemons: more than {} names", kMaxSignDaemons));
  for (const auto& n : names)
    if (n.empty() || n.size() > kMaxDaemonNameOctets || n != printable(n) ||
        n.find_first_of(" \t,") != std::string::npos)
      return std::unexpected(fmt::format("milter.sign_daemons: '{}' is not a daemon name", printable(n, 80)));
  return names;
}

// signing_table - [[signer.domain]] with the active rotated keys; a mode that signs needs one.
std::expected<std::shared_ptr<const signer::SigningTable>, std::string> signing_table(const config::File& file,
                                                                                     const Clock& clock) {
  auto table = signer::build_signing_table(&file, {});
  if (!table) return std::unexpected(table.error());
  if ((*table)->size() == 0)
    return std::unexpected("milter.mode signs but the configuration has no [[signer.domain]] table");
  auto rotated = signer::load_rotated_keys(*table, file, clock);
  if (!rotated) return rotated;
  for (const auto& w : (*rotated)->warnings()) log::warning("milter: {}", w);  // small RSA keys
  (*rotated)->publish_metrics();
  return rotated;
}

}  // namespace

std::expected<std::shared_ptr<const Signing>, std::string> signing_from_config(
    const config::File& file, const std::optional<std::string>& mode_override, const Clock& clock) {
  auto s = std::make_shared<Signing>();
  auto mode = parse_mode(mode_override.value_or(file.string("milter.mode")));
  if (!mode) return std::unexpected(fmt::format("milter.mode: {}", mode.error()));
  s->mode = *mode;
  for (const auto& item : file.strings("milter.internal_hosts"))
    if (auto ok = s->internal_hosts.add(item); !ok) return std::unexpected("milter.internal_hosts: " + ok.error());
  auto names = daemon_names(file);
  if (!names) return std::unexpected(names.error());
  s->sign_daemons = std::move(*names);
  if (s->signs()) {
    auto table = signing_table(file, clock);
    if (!table) return std::unexpected(table.error());
    s->table = std::move(*table);
  }
  return s;
}

std::expected<std::vector<MtaField>, std::string> split_fields(std::string_view text) {
  std::vector<MtaField> out;
  while (!text.empty()) {
    // a field ends at a CRLF not followed by folding white space
    std::size_t end = 0;
    for (;;) {
      end = text.find("\r\n", end);
      if (end == std::string_view::npos) {
        end = text.size();
        break;
      }
      if (end + 2 < text.size() && (text[end + 2] == ' ' || text[end + 2] == '\t')) {
        end += 2;
        continue;
      }
      break;
    }
    std::string_view field = text.substr(0, end);
    text.remove_prefix(std::min(text.size(), end + 2));
    auto colon = field.find(':');
    if (colon == std::string_view::npos || !mail::valid_field_name(field.substr(0, colon)))
      return std::unexpected("signature text is not a header field");
    MtaField f{std::string(field.substr(0, colon)), {}};
    for (std::size_t i = colon + 1; i < field.size(); ++i)
      if (!(field[i] == '\r' && i + 1 < field.size() && field[i + 1] == '\n')) f.value.push_back(field[i]);
    out.push_back(std::move(f));
  }
  return out;
}

std::string sign_refusal(std::string_view problem) {
  // the relay's reply for the same fault: one wording for the filter and the milter
  const relay::Problem p = problem == kTooManyFields    ? relay::Problem::too_many_header_fields
                           : problem == kHeaderTooLarge ? relay::Problem::header_too_large
                                                        : relay::Problem::header_syntax;
  return relay::problem_reply(p, 0);
}

}  // namespace postseal::milter
