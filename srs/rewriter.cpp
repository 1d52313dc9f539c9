// rewriter.cpp - the forward/reverse lookup policy (see rewriter.hpp).
#include "srs/rewriter.hpp"

#include "core/util/text.hpp"

#include <fmt/format.h>

namespace postseal::srs {
namespace {

Lookup not_found(std::string reason) { return Lookup{false, {}, std::move(reason)}; }

// partial_key - "", "user" or "@domain": what Postfix asks besides full addresses.
bool partial_key(std::string_view key) {
  const auto at = key.rfind('@');
  return at == std::string_view::npos || at == 0 || at + 1 == key.size();
}

}  // namespace

Rewriter::Rewriter(const SrsCodec& codec, std::string domain,
                   std::vector<std::string> local_domains)
    : codec_(&codec), domain_(std::move(domain)), local_domains_(std::move(local_domains)) {}

bool Rewriter::is_local(std::string_view domain) const {
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  if (iequals(domain, domain_)) return true;
  for (const auto& entry : local_domains_) {
    if (!entry.empty() && entry.front() == '.') {
      if (domain.size() > entry.size() &&
          iequals(domain.substr(domain.size() - entry.size()), entry))
        return true;
    } else if (iequals(domain, entry)) {
      return true;
    }
  }
  return false;
}

Lookup Rewriter::forward(std::string_view key) const {
  if (key.empty()) return not_found("null sender");
  if (partial_key(key)) return not_found("partial key");
  const std::string_view domain = key.substr(key.rfind('@') + 1);
  if (is_local(domain)) return not_found("local domain");
  auto r = codec_->forward(key, domain_);
  if (!r) return not_found(fmt::format("{}: {}", error_name(r.error().error), r.error().reason));
  if (*r == key) return not_found("unchanged");
  return Lookup{true, std::move(*r), {}};
}

Lookup Rewriter::reverse(std::string_view key) const {
  if (key.empty()) return not_found("null address");
  if (partial_key(key)) return not_found("partial key");
  auto r = codec_->reverse(key);
  if (!r) return not_found(fmt::format("{}: {}", error_name(r.error().error), r.error().reason));
  return Lookup{true, std::move(*r), {}};
}

}  // namespace postseal::srs
