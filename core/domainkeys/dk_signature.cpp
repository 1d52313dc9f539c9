// dk_signature.cpp - DomainKey-Signature parsing, header selection and rendering (see header).
#include "core/domainkeys/dk_signature.hpp"

#include "core/mail/header_folder.hpp"
#include "core/mail/tag_list.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

#include <map>

namespace postseal::domainkeys {

using mail::strip_fws;

namespace {

// parse_h - "from : to:subject" -> {"from","to","subject"}; unexpected on an empty name.
std::expected<std::vector<std::string>, std::string> parse_h(std::string_view text) {
  std::vector<std::string> names;
  std::string value = strip_fws(text);
  std::string_view rest(value);
  if (rest.empty()) return names;
  while (true) {
    auto colon = rest.find(':');
    std::string_view name = rest.substr(0, colon);
    if (name.empty()) return std::unexpected("empty name in h=");
    if (names.size() >= kMaxSignedHeaderNames) return std::unexpected("too many names in h=");
    names.push_back(to_lower(name));
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return names;
}

// required_host - d= or s=, present and a host name.
std::expected<std::string, std::string> required_host(const mail::TagList& tags,
                                                      std::string_view tag, bool underscore) {
  auto v = tags.get(tag);
  if (!v) return std::unexpected(fmt::format("missing {}= tag", tag));
  std::string host = to_lower(*v);  // tag_list trimmed it; inner FWS is invalid
  if (!host.empty() && host.back() == '.' && tag == "d") host.pop_back();
  if (!valid_hostname(host, underscore)) {
    return std::unexpected(fmt::format("invalid {}= \"{}\"", tag, printable(*v, 80)));
  }
  return host;
}

std::expected<void, std::string> parse_algorithm_tags(const mail::TagList& tags,
                                                      DkSignature& sig) {
  if (auto a = tags.get("a")) {
    sig.a = to_lower(*a);
    if (sig.a != "rsa-sha1") {
      return std::unexpected(fmt::format("unsupported algorithm a={}", printable(*a, 40)));
    }
  }
  if (auto c = tags.get("c")) {
    auto canon = parse_canon(*c);
    if (!canon) return std::unexpected(fmt::format("unknown c={}", printable(*c, 40)));
    sig.c = *canon;
  }
  if (auto q = tags.get("q")) {
    sig.q = to_lower(*q);
    if (sig.q != "dns") return std::unexpected(fmt::format("unsupported q={}", printable(*q, 40)));
  }
  return {};
}

}  // namespace

bool valid_hostname(std::string_view name, bool allow_underscore) {
  return is_hostname(name, allow_underscore ? LabelChars::ldh_underscore : LabelChars::ldh);
}

std::expected<DkSignature, std::string> parse_signature(std::string_view value) {
  if (value.size() > kMaxSignatureFieldOctets) return std::unexpected("signature field too large");
  auto tags = mail::parse_tag_list(value);
  if (!tags) return std::unexpected(std::string(mail::to_string(tags.error())));
  DkSignature sig;
  if (auto ok = parse_algorithm_tags(*tags, sig); !ok) return std::unexpected(ok.error());
  auto d = required_host(*tags, "d", false);
  if (!d) return std::unexpected(d.error());
  sig.d = std::move(*d);
  auto s = required_host(*tags, "s", true);
  if (!s) return std::unexpected(s.error());
  sig.s = std::move(*s);
  auto b = tags->get("b");
  if (!b || strip_fws(*b).empty()) return std::unexpected("missing b= tag");
  sig.b = strip_fws(*b);
  if (auto h = tags->get("h")) {
    auto names = parse_h(*h);
    if (!names) return std::unexpected(names.error());
    sig.h = std::move(*names);
  }
  return sig;
}

std::vector<const mail::HeaderField*> signed_fields(const DkSignature& sig,
                                                    std::span<const mail::HeaderField> below) {
  std::vector<const mail::HeaderField*> out;
  if (sig.h.empty()) {
    for (const auto& f : below) out.push_back(&f);
    return out;
  }
  std::map<std::string, std::vector<const mail::HeaderField*>> by_name;
  std::map<std::string, std::size_t> listed;
  for (const auto& name : sig.h) ++listed[name];
  for (const auto& f : below) {
    std::string name = to_lower(f.name());
    if (listed.contains(name)) by_name[name].push_back(&f);
  }
  // walk h= from its end: a repeated name takes one field from the bottom; its first
  // mention takes whatever is left of that name
  std::vector<std::vector<const mail::HeaderField*>> groups(sig.h.size());
  for (std::size_t i = sig.h.size(); i-- > 0;) {
    auto& fields = by_name[sig.h[i]];
    if (--listed[sig.h[i]] > 0) {
      if (!fields.empty()) {
        groups[i].push_back(fields.back());
        fields.pop_back();
      }
    } else {
      groups[i] = std::move(fields);
      fields.clear();
    }
  }
  for (auto& g : groups) out.insert(out.end(), g.begin(), g.end());
  return out;
}

std::string render_signature_field(const SignatureTags& tags) {
  mail::HeaderFolder f(kSignatureFieldName, "\t");
  f.word("a=rsa-sha1;");
  f.word("q=dns;");
  f.word(fmt::format("c={};", to_string(tags.c)));
  f.word(fmt::format("s={};", tags.s));
  f.word(fmt::format("d={};", tags.d));
  for (std::size_t i = 0; i < tags.h.size(); ++i) {
    std::string piece = (i == 0 ? "h=" : "") + tags.h[i] + (i + 1 < tags.h.size() ? ":" : ";");
    if (i == 0) {
      f.word(piece);
    } else {
      f.piece(piece);
    }
  }
  f.word("b=");
  f.fill(tags.b);
  return f.finish();
}

}  // namespace postseal::domainkeys
