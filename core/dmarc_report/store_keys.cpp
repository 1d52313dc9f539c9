// store_keys.cpp - DMARC report keys (see store_keys.hpp).
#include "core/dmarc_report/store_keys.hpp"

#include "core/dmarc_report/row.hpp"
#include "core/util/text.hpp"

namespace postseal::dmarc_report::keys {
namespace {

// key - "dmarc:KIND:PERIOD" and the further parts, ":"-separated.
std::string key(char kind, const Period& p, std::string_view a = {}, std::string_view b = {}) {
  std::string k = "dmarc:";
  k.push_back(kind);
  k += ":" + p.text();
  if (!a.empty()) k += ":" + std::string(a);
  if (!b.empty()) k += ":" + std::string(b);
  return k;
}

}  // namespace

std::string policy(const Period& p, std::string_view domain) { return key('p', p, domain); }
std::string policy_prefix(const Period& p) { return key('p', p) + ":"; }
std::string row(const Period& p, std::string_view domain, std::string_view d) {
  return key('r', p, domain, d);
}
std::string row_prefix(const Period& p, std::string_view domain) {
  return key('r', p, domain) + ":";
}
std::string count(const Period& p, std::string_view domain, std::string_view d) {
  return key('c', p, domain, d);
}
std::string count_prefix(const Period& p, std::string_view domain) {
  return key('c', p, domain) + ":";
}
std::string rows_started(const Period& p, std::string_view domain) { return key('n', p, domain); }
std::string dropped(const Period& p, std::string_view domain) { return key('x', p, domain); }
std::string domains_started(const Period& p) { return key('d', p); }
std::string sent(const Period& p, std::string_view domain, std::string_view rua) {
  return key('s', p, domain, digest(rua));
}

std::string failures_sent(std::int64_t hour, std::string_view ruf_address) {
  return "dmarc:f:" + std::to_string(hour) + ":" + digest(ruf_address);
}
std::string failures_sent_all(std::int64_t hour) {
  return "dmarc:f:" + std::to_string(hour) + ":all";
}

std::string handed_over(std::string_view address) {
  return "dmarc:h:" + digest(to_lower(address));
}

}  // namespace postseal::dmarc_report::keys
