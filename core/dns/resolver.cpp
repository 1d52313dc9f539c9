// resolver.cpp - names for DNS enums and TXT joining (see resolver.hpp).
#include "core/dns/resolver.hpp"

namespace postseal::dns {

std::string Record::text() const {
  std::string out;
  for (const auto& s : strings) out += s;
  return out;
}

std::string_view to_string(RrType type) {
  switch (type) {
    case RrType::a: return "A";
    case RrType::ns: return "NS";
    case RrType::cname: return "CNAME";
    case RrType::ptr: return "PTR";
    case RrType::mx: return "MX";
    case RrType::txt: return "TXT";
    case RrType::aaaa: return "AAAA";
    case RrType::spf: return "SPF";
  }
  return "TYPE?";
}

std::string_view to_string(Rcode rcode) {
  switch (rcode) {
    case Rcode::noerror: return "NOERROR";
    case Rcode::nxdomain: return "NXDOMAIN";
    case Rcode::servfail: return "SERVFAIL";
    case Rcode::timeout: return "timeout";
  }
  return "?";
}

}  // namespace postseal::dns
