// rotate_keys.cpp - make and record one domain's next keys (see rotate_keys.hpp).
#include "keys/rotate_keys.hpp"

#include "core/util/config.hpp"
#include "core/util/text.hpp"
#include "keys/rotation/plan.hpp"
#include "keys/rotation/record_store.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <unistd.h>

namespace postseal::keys {
namespace {

// configured_keys - the domain's signer.domain[].keys, loaded to learn their algorithms.
std::expected<std::vector<rotation::ConfiguredKey>, std::string> configured_keys(const config::File& file,
                                                                                 std::string_view domain) {
  for (const toml::table* t : file.tables("signer.domain")) {
    if (to_lower(config::table_string(*t, "name", "signer.domain[].name")) != domain) continue;
    std::vector<rotation::ConfiguredKey> out;
    for (const auto& entry : config::table_strings(*t, "keys", "signer.domain[].keys")) {
      const auto colon = entry.find(':');
      if (colon == std::string::npos) return std::unexpected(fmt::format("signer.domain '{}': key '{}' must be SELECTOR:KEYFILE", domain, entry));
      auto key = crypto::PrivateKey::load(entry.substr(colon + 1));
      if (!key) return std::unexpected(key.error());
      out.push_back({entry.substr(0, colon), (*key)->type(), std::filesystem::absolute(entry.substr(colon + 1)).string()});
    }
    return out;
  }
  return std::unexpected(fmt::format("{} has no [[signer.domain]] in {}: add it with the keys it signs with today",
                                     domain, file.source()));
}

// make_key - keygen for one planned key, owned by signer.user when we are root.
std::expected<KeygenResult, std::string> make_key(const config::File& file, const rotation::Settings& settings,
                                                  std::string_view domain, const rotation::NewKey& k) {
  KeygenRequest request;
  request.domain = std::string(domain);
  request.selector = k.selector;
  request.type = k.a;
  request.dir = settings.directory;
  if (::geteuid() == 0) request.owner = file.string("signer.user");
  if (auto e = check_request(request)) return std::unexpected(*e);
  return keygen(request);
}

}  // namespace

bool signs_domain(const config::File& file, std::string_view domain) {
  for (const toml::table* t : file.tables("signer.domain"))
    if (to_lower(config::table_string(*t, "name", "signer.domain[].name")) == domain) return true;
  return false;
}

std::expected<Rotated, std::string> rotate_domain(const config::File& file,
                                                  const rotation::Settings& settings,
                                                  state::Store& store, std::string_view domain,
                                                  std::int64_t now,
                                                  std::optional<crypto::KeyType> only) {
  auto configured = configured_keys(file, domain);
  if (!configured) return std::unexpected(configured.error());
  rotation::RecordStore records(store);
  auto existing = records.domain(domain);
  if (!existing) return std::unexpected(existing.error());
  const std::filesystem::path dir = settings.directory;
  auto file_exists = [&](std::string_view s) {
    return std::filesystem::exists(dir / (std::string(s) + ".private")) || std::filesystem::exists(dir / (std::string(s) + ".txt"));
  };
  auto plan = rotation::plan_rotation(domain, *configured, existing->records,
                                      settings.selector_template, now, file_exists, only);
  if (!plan) return std::unexpected(plan.error());
  Rotated out;
  for (const auto& k : plan->keys) {
    auto made = make_key(file, settings, domain, k);
    if (!made) return std::unexpected(made.error());
    out.made.push_back(std::move(*made));
  }
  for (const auto& r : plan->adopted)
    if (auto saved = records.save(r); !saved) return std::unexpected(saved.error());
  out.adopted = plan->adopted;
  for (std::size_t i = 0; i < out.made.size(); ++i) {
    const auto& m = out.made[i];
    rotation::Record r{std::string(domain), plan->keys[i].selector, plan->keys[i].a, rotation::State::pending, now, now,
                       std::filesystem::absolute(m.private_file).string(), m.record.value};
    if (auto saved = records.save(r); !saved) return std::unexpected(saved.error());
    out.recorded.push_back(std::move(r));
  }
  return out;
}

}  // namespace postseal::keys
