// selector_template.hpp - the selector of the next key, from keys.selector_template.
//
// Placeholders: {alg} (rsa, ed25519), {yyyy}, {mm}, {dd}, {yyyymm}, {yyyymmdd} (UTC date of
// "now") and {n} (1, 2, ... the first number giving an unused selector). The result must be an
// RFC 6376 3.1 selector (core/dkim/key_names.hpp). Untrusted input: the template (config,
// local admin): an unknown or unclosed placeholder is an error naming it. Limits:
// kMaxSelectorNumber tries of {n}.
#pragma once

#include "core/crypto/private_key.hpp"

#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace postseal::rotation {

inline constexpr std::string_view kDefaultSelectorTemplate = "{alg}{yyyymm}";
// kMaxSelectorNumber - {n} is tried from 1 up to this.
inline constexpr int kMaxSelectorNumber = 9999;

// render_selector - the template for one algorithm, time and number; the error says why.
std::expected<std::string, std::string> render_selector(std::string_view selector_template, crypto::KeyType alg,
                                                        std::int64_t now, int n);
// check_template - nullopt when the template renders a valid selector, else the problem.
std::optional<std::string> check_template(std::string_view selector_template);
// next_selector - the first rendering that `taken` refuses not; an error when none is free
// (a template without {n} whose one selector is used, or kMaxSelectorNumber reached).
std::expected<std::string, std::string> next_selector(std::string_view selector_template, crypto::KeyType alg,
                                                      std::int64_t now,
                                                      const std::function<bool(std::string_view)>& taken);

}  // namespace postseal::rotation
