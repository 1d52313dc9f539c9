// dkim_canon_diff_fuzz.cpp - differential: our DKIM canonicalization (core/dkim/canonicalize
// .hpp: canonicalize_header and the streaming BodyHasher) against a plain reference written
// here from RFC 6376 3.4, one string operation per rule, on the same input.
//
// Reference rules (RFC 6376 3.4.1-3.4.4; lines end at CRLF, a bare CR or LF is an ordinary
// octet, WSP is SP and HTAB):
//   header simple: the field unchanged, then CRLF;
//   header relaxed: name lower-cased, WSP after it dropped; value unfolded (CRLF removed),
//     WSP runs made one SP, WSP at its start and end dropped; "name:value" CRLF;
//   body simple: every line with its CRLF (a last line without one gets it); empty lines at
//     the end dropped; an empty result is CRLF;
//   body relaxed: WSP at line ends dropped, WSP runs made one SP, empty lines at the end
//     dropped; an empty result stays empty.
// Input: byte 0 picks the l= limit (bit 0: use one, then byte 1 is it, times 4), bytes 1-2
// cut the body into three chunks; the rest is a header block, "\r\n\r\n", the body. Fields are
// those the header parser accepts. Inputs over kMaxInputOctets are skipped. Checked: equal
// header text for both algorithms, equal SHA-256 of the (limited) canonical body, equal
// canonical length. No network, no files, deterministic.
#include "core/dkim/canonicalize.hpp"
#include "core/mail/header.hpp"

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::size_t kMaxInputOctets = 64 * 1024;
constexpr std::size_t kOptionOctets = 3;

bool wsp(char c) { return c == ' ' || c == '\t'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string strip_wsp(std::string_view s) {
  while (!s.empty() && wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && wsp(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::string squeeze_wsp(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (wsp(c)) {
      if (out.empty() || out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string remove_all(std::string s, std::string_view what) {
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at)) s.erase(at, what.size());
  return s;
}

std::string reference_header(postseal::dkim::Canon canon, std::string_view raw) {
  if (canon == postseal::dkim::Canon::simple) return std::string(raw) + "\r\n";
  auto colon = raw.find(':');
  std::string name = lower(raw.substr(0, colon));
  while (!name.empty() && wsp(name.back())) name.pop_back();
  std::string value = remove_all(std::string(raw.substr(colon + 1)), "\r\n");
  return name + ":" + strip_wsp(squeeze_wsp(value)) + "\r\n";
}

std::vector<std::string> body_lines(std::string_view body) {
  std::vector<std::string> lines;
  while (!body.empty()) {
    auto end = body.find("\r\n");
    if (end == std::string_view::npos) {
      lines.emplace_back(body);
      break;
    }
    lines.emplace_back(body.substr(0, end));
    body.remove_prefix(end + 2);
  }
  return lines;
}

std::string reference_body(postseal::dkim::Canon canon, std::string_view body) {
  auto lines = body_lines(body);
  if (canon == postseal::dkim::Canon::relaxed) {
    for (auto& l : lines) {
      while (!l.empty() && wsp(l.back())) l.pop_back();
      l = squeeze_wsp(l);
    }
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::string out;
  for (const auto& l : lines) out += l + "\r\n";
  if (out.empty() && canon == postseal::dkim::Canon::simple) out = "\r\n";
  return out;
}

std::string sha256(std::string_view s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(md), len);
}

void check_body(postseal::dkim::Canon canon, std::string_view body, std::optional<std::uint64_t> limit,
                std::size_t cut1, std::size_t cut2) {
  postseal::dkim::BodyHasher h(canon, EVP_sha256(), limit);
  h.update(body.substr(0, cut1));
  h.update(body.substr(cut1, cut2 - cut1));
  h.update(body.substr(cut2));
  std::string ours = h.finish();
  std::string ref = reference_body(canon, body);
  if (h.canonical_length() != ref.size()) std::abort();
  std::string_view hashed(ref);
  if (limit) hashed = hashed.substr(0, static_cast<std::size_t>(*limit));
  if (ours != sha256(hashed)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < kOptionOctets || size > kMaxInputOctets) return 0;
  using postseal::dkim::Canon;
  std::optional<std::uint64_t> limit;
  if ((data[0] & 1) != 0) limit = static_cast<std::uint64_t>(data[1]) * 4;
  std::string_view in(reinterpret_cast<const char*>(data) + kOptionOctets, size - kOptionOctets);
  auto split = in.find("\r\n\r\n");
  std::string_view head = split == std::string_view::npos ? std::string_view{} : in.substr(0, split + 2);
  std::string_view body = split == std::string_view::npos ? in : in.substr(split + 4);

  if (auto fields = postseal::mail::parse_header_block(head)) {
    for (const auto& f : *fields)
      for (Canon c : {Canon::simple, Canon::relaxed})
        if (postseal::dkim::canonicalize_header(c, f.raw) != reference_header(c, f.raw)) std::abort();
  }
  std::size_t cut1 = body.empty() ? 0 : data[1] % (body.size() + 1);
  std::size_t cut2 = body.empty() ? 0 : cut1 + data[2] % (body.size() - cut1 + 1);
  for (Canon c : {Canon::simple, Canon::relaxed}) check_body(c, body, limit, cut1, cut2);
  return 0;
}
