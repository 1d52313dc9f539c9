// from_domain.cpp - pick the signing domain from the From field (see from_domain.hpp).
#include "signer/filter/from_domain.hpp"

#include "core/mail/address.hpp"

#include <cctype>

namespace postseal::signer {
namespace {

// valid_domain - dot-separated labels of letters, digits, '-' (or UTF-8), within
// kMaxDomainOctets.
bool valid_domain(std::string_view d) {
  if (d.empty() || d.size() > kMaxDomainOctets || d.front() == '.' || d.back() == '.') return false;
  for (unsigned char c : d)
    if (!std::isalnum(c) && c != '-' && c != '.' && c < 0x80) return false;
  return d.find("..") == std::string_view::npos;
}

}  // namespace

std::expected<mail::Mailbox, std::string> from_mailbox(const std::vector<mail::HeaderField>& headers) {
  auto author = mail::author_mailbox(headers);
  if (!author) return std::unexpected(author.error());
  if (!valid_domain(author->domain)) return std::unexpected("From domain is not a valid domain name");
  return *author;
}

std::expected<std::string, std::string> from_domain(const std::vector<mail::HeaderField>& headers) {
  auto author = from_mailbox(headers);
  if (!author) return std::unexpected(author.error());
  return author->domain;
}

}  // namespace postseal::signer
