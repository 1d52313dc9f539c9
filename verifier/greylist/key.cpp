// key.cpp - the greylisting triplet (see key.hpp).
#include "verifier/greylist/key.hpp"

#include "core/net/address_list.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <array>
#include <vector>

namespace postseal::greylist {
namespace {

// kMaxDomainOctets - an SPF domain longer than a DNS name cannot have passed.
constexpr std::size_t kMaxDomainOctets = 255;

// mask - the first `prefix` bits of `bytes`, the rest zero.
template <std::size_t N>
std::array<unsigned char, N> mask(std::array<unsigned char, N> bytes, unsigned prefix) {
  for (std::size_t i = 0; i < N; ++i) {
    unsigned bit = static_cast<unsigned>(i) * 8;
    if (bit >= prefix)
      bytes[i] = 0;
    else if (prefix - bit < 8)
      bytes[i] = static_cast<unsigned char>(bytes[i] & (0xFF << (8 - (prefix - bit))));
  }
  return bytes;
}

bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// looks_like_batv_tag - postgrey's /^[0-9a-z]{10}/: the KDDDSSSSSS tag of RFC-draft BATV.
bool looks_like_batv_tag(std::string_view s) {
  if (s.size() < 10) return false;
  for (char c : s.substr(0, 10))
    if (!is_digit(c) && !(c >= 'a' && c <= 'z')) return false;
  return true;
}

// split_equals - `s` cut at every '='.
std::vector<std::string_view> split_equals(std::string_view s) {
  std::vector<std::string_view> parts;
  for (;;) {
    auto eq = s.find('=');
    parts.push_back(s.substr(0, eq));
    if (eq == std::string_view::npos) return parts;
    s.remove_prefix(eq + 1);
  }
}

// strip_batv - prvs=TAG=local -> local (and prvs=local=TAG, which some senders write).
std::string_view strip_batv(std::string_view local) {
  if (!local.starts_with("prvs=")) return local;
  auto parts = split_equals(local);
  if (parts.size() != 3) return local;
  bool tag1 = looks_like_batv_tag(parts[1]), tag2 = looks_like_batv_tag(parts[2]);
  if (tag2 && !tag1) return parts[1];
  return parts[2];  // the standard order, and postgrey's choice when unsure
}

// srs0_body - "HHH=TT=domain=local" -> {local, domain}; false if it does not have that shape.
bool srs0_body(std::string_view body, std::string& local, std::string& domain) {
  auto hash = body.find('=');
  if (hash == std::string_view::npos) return false;
  auto stamp = body.find('=', hash + 1);
  if (stamp == std::string_view::npos) return false;
  auto dom = body.find('=', stamp + 1);
  if (dom == std::string_view::npos || dom == stamp + 1 || dom + 1 >= body.size()) return false;
  domain = std::string(body.substr(stamp + 1, dom - stamp - 1));
  local = std::string(body.substr(dom + 1));
  return true;
}

// reverse_srs - SRS0=HHH=TT=domain=local and SRS1=HHH=fwd==HHH=TT=domain=local (separator
// after SRS0/SRS1 '=', '+' or '-', as libsrs2 accepts) -> the original local part and domain.
bool reverse_srs(std::string_view local, std::string& out_local, std::string& out_domain) {
  if (local.size() < 5 || (local[4] != '=' && local[4] != '+' && local[4] != '-')) return false;
  if (local.starts_with("srs0")) return srs0_body(local.substr(5), out_local, out_domain);
  if (!local.starts_with("srs1")) return false;
  auto inner = local.find("==", 5);
  if (inner == std::string_view::npos) return false;
  return srs0_body(local.substr(inner + 2), out_local, out_domain);
}

// hash_numbers - every whole number (Perl \b\d+\b) becomes '#'.
std::string hash_numbers(std::string_view local) {
  std::string out;
  out.reserve(local.size());
  std::size_t i = 0;
  while (i < local.size()) {
    if (!is_digit(local[i])) {
      out += local[i++];
      continue;
    }
    std::size_t end = i;
    while (end < local.size() && is_digit(local[end])) ++end;
    bool before = i > 0 && is_word(local[i - 1]);
    bool after = end < local.size() && is_word(local[end]);
    if (before || after)
      out.append(local.substr(i, end - i));
    else
      out += '#';
    i = end;
  }
  return out;
}

}  // namespace

std::string client_network(const asio::ip::address& address, const KeyOptions& options) {
  auto ip = net::unmapped(address);
  if (ip.is_v4()) {
    if (options.ipv4_prefix >= 32) return ip.to_string();
    auto net = asio::ip::address_v4(mask(ip.to_v4().to_bytes(), options.ipv4_prefix));
    return fmt::format("{}/{}", net.to_string(), options.ipv4_prefix);
  }
  if (options.ipv6_prefix >= 128) return ip.to_v6().to_string();
  auto net = asio::ip::address_v6(mask(ip.to_v6().to_bytes(), options.ipv6_prefix));
  return fmt::format("{}/{}", net.to_string(), options.ipv6_prefix);
}

std::string normalize_sender(std::string_view sender) {
  std::string lower = to_lower(sender.substr(0, kMaxAddressOctets));
  auto at = lower.rfind('@');
  if (at == std::string::npos) return lower;
  std::string local(strip_batv(std::string_view(lower).substr(0, at)));
  std::string domain = lower.substr(at + 1);
  std::string srs_local, srs_domain;
  if (reverse_srs(local, srs_local, srs_domain)) {
    local = std::move(srs_local);
    domain = std::move(srs_domain);
  }
  if (auto plus = local.find('+'); plus != std::string::npos) local.resize(plus);
  return hash_numbers(local) + "@" + domain;
}

std::string normalize_recipient(std::string_view recipient) {
  return to_lower(recipient.substr(0, kMaxAddressOctets));
}

Triplet make_triplet(const asio::ip::address& ip, std::string_view sender, std::string_view recipient,
                     std::string_view spf_pass_domain, const KeyOptions& options) {
  Triplet t;
  if (options.key_by_spf_domain && !spf_pass_domain.empty() && spf_pass_domain.size() <= kMaxDomainOctets) {
    t.client = "spf:" + to_lower(spf_pass_domain);
    if (t.client.ends_with('.')) t.client.pop_back();
  } else {
    t.client = client_network(ip, options);
  }
  t.sender = normalize_sender(sender);
  t.recipient = normalize_recipient(recipient);
  return t;
}

// sha256_hex - the SHA-256 of `data` in lower-case hex.
static std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1) size = 0;
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string triplet_key(const Triplet& t) {
  auto key = fmt::format("{}{}/{}/{}", kTripletPrefix, t.client, t.sender, t.recipient);
  if (key.size() <= kMaxKeyOctets) return key;
  return fmt::format("{}sha256:{}", kTripletPrefix, sha256_hex(key));
}

std::string client_key(const asio::ip::address& ip, const KeyOptions& options) {
  return std::string(kClientPrefix) + client_network(ip, options);
}

}  // namespace postseal::greylist
