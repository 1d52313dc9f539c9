// public_suffix.cpp - RFC 7489 3.2 Organizational Domains through libpsl (see public_suffix.hpp).
//
// Untrusted input: domain names (NUL-free, checked by the caller). libpsl returns a pointer
// into the name it was given, or NULL when the name is itself a public suffix.
#include "core/dmarc/public_suffix.hpp"

#include <fmt/format.h>
#include <libpsl.h>

namespace postseal::dmarc {

std::expected<PublicSuffixList, std::string> PublicSuffixList::load(std::string_view path) {
  std::string name(path);
  psl_ctx_t* ctx = psl_load_file(name.c_str());
  if (ctx == nullptr) {
    return std::unexpected(fmt::format("cannot read the public suffix list {} (Debian package "
                                       "publicsuffix)", name));
  }
  PublicSuffixList list;
  list.ctx_ = std::shared_ptr<const psl_ctx_t>(ctx, [](const psl_ctx_t* p) {
    psl_free(const_cast<psl_ctx_t*>(p));
  });
  return list;
}

std::string PublicSuffixList::organizational_domain(std::string_view domain) const {
  std::string name(domain);
  const char* registrable = psl_registrable_domain(ctx_.get(), name.c_str());
  return registrable == nullptr ? name : std::string(registrable);
}

}  // namespace postseal::dmarc
