// selector_template.cpp - render keys.selector_template (see selector_template.hpp).
#include "keys/rotation/selector_template.hpp"

#include "core/dkim/key_names.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <ctime>

namespace postseal::rotation {
namespace {

// placeholder - the text of one {name}, or nullopt when the name is unknown.
std::optional<std::string> placeholder(std::string_view name, crypto::KeyType alg, const std::tm& day, int n) {
  const int y = day.tm_year + 1900, m = day.tm_mon + 1, d = day.tm_mday;
  if (name == "alg") return std::string(crypto::to_string(alg));
  if (name == "yyyy") return fmt::format("{:04}", y);
  if (name == "mm") return fmt::format("{:02}", m);
  if (name == "dd") return fmt::format("{:02}", d);
  if (name == "yyyymm") return fmt::format("{:04}{:02}", y, m);
  if (name == "yyyymmdd") return fmt::format("{:04}{:02}{:02}", y, m, d);
  if (name == "n") return std::to_string(n);
  return std::nullopt;
}

}  // namespace

std::expected<std::string, std::string> render_selector(std::string_view selector_template, crypto::KeyType alg,
                                                        std::int64_t now, int n) {
  const std::time_t t = static_cast<std::time_t>(now);
  std::tm day{};
  if (gmtime_r(&t, &day) == nullptr) return std::unexpected("time out of range");
  std::string out;
  for (std::size_t i = 0; i < selector_template.size(); ++i) {
    if (selector_template[i] != '{') {
      out += selector_template[i];
      continue;
    }
    const auto close = selector_template.find('}', i);
    if (close == std::string_view::npos) return std::unexpected("unclosed '{' in selector template");
    const auto name = selector_template.substr(i + 1, close - i - 1);
    auto text = placeholder(name, alg, day, n);
    if (!text) return std::unexpected(fmt::format("unknown placeholder {{{}}} in selector template", printable(name, 20)));
    out += *text;
    i = close;
  }
  if (auto e = dkim::check_selector(out)) return std::unexpected(fmt::format("selector template gives '{}': {}", printable(out, 80), *e));
  return out;
}

std::optional<std::string> check_template(std::string_view selector_template) {
  for (auto alg : {crypto::KeyType::rsa, crypto::KeyType::ed25519})
    if (auto r = render_selector(selector_template, alg, 0, 1); !r) return r.error();
  return std::nullopt;
}

std::expected<std::string, std::string> next_selector(std::string_view selector_template, crypto::KeyType alg,
                                                      std::int64_t now,
                                                      const std::function<bool(std::string_view)>& taken) {
  const bool numbered = selector_template.find("{n}") != std::string_view::npos;
  for (int n = 1; n <= kMaxSelectorNumber; ++n) {
    auto selector = render_selector(selector_template, alg, now, n);
    if (!selector) return selector;
    if (!taken(*selector)) return selector;
    if (!numbered)
      return std::unexpected(fmt::format("selector '{}' is already used; add {{n}} to keys.selector_template "
                                         "or rotate later", *selector));
  }
  return std::unexpected(fmt::format("no free selector up to {{n}} = {}", kMaxSelectorNumber));
}

}  // namespace postseal::rotation
