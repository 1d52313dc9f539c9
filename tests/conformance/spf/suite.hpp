// suite.hpp - reads tests/data/spf/rfc7208-tests.txt (the RFC 7208 suite, converted by
// tests/data/spf/convert.py) into scenarios with an in-memory zone each.
#pragma once

#include "core/dns/memory_zone.hpp"
#include "verifier/spf/spf.hpp"

#include <asio/ip/address.hpp>

#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace postseal::spf::suite {

struct Case {
  std::string scenario;
  std::string name;
  std::string host;
  std::string mailfrom;
  std::string helo;
  std::vector<SpfResult> results;
  bool has_explanation = false;
  std::string explanation;
};

struct Scenario {
  std::string description;
  std::shared_ptr<dns::MemoryZone> zone = std::make_shared<dns::MemoryZone>();
  std::vector<Case> cases;
};

inline std::string unescape(const std::string& in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\' || i + 1 >= in.size()) {
      out.push_back(in[i]);
      continue;
    }
    const char c = in[++i];
    if (c == 't') out.push_back('\t');
    else if (c == 'n') out.push_back('\n');
    else if (c == 'r') out.push_back('\r');
    else if (c == 'x' && i + 2 < in.size() + 0) {
      out.push_back(static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else out.push_back(c);
  }
  return out;
}

inline std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == '\t') {
      fields.push_back(unescape(line.substr(start, i - start)));
      start = i + 1;
    }
  }
  return fields;
}

inline void add_zone_record(dns::MemoryZone& zone, const std::vector<std::string>& f) {
  const std::string& name = f.at(1);
  const std::string& type = f.at(2);
  dns::Record r;
  if (type == "TIMEOUT") {
    zone.add_timeout(name);
    return;
  }
  if (type == "A" || type == "AAAA") {
    r.type = type == "A" ? dns::RrType::a : dns::RrType::aaaa;
    r.address = asio::ip::make_address(f.at(3));
  } else if (type == "TXT" || type == "SPF") {
    r.type = type == "TXT" ? dns::RrType::txt : dns::RrType::spf;
    r.strings.assign(f.begin() + 3, f.end());
  } else if (type == "MX") {
    r.type = dns::RrType::mx;
    r.preference = static_cast<std::uint16_t>(std::stoi(f.at(3)));
    r.name = f.at(4);
  } else if (type == "PTR" || type == "CNAME") {
    r.type = type == "PTR" ? dns::RrType::ptr : dns::RrType::cname;
    r.name = f.at(3);
  } else {
    throw std::runtime_error("unknown record type " + type);
  }
  if (!r.name.empty() && r.name.back() == '.') r.name.pop_back();
  zone.add(name, std::move(r));
}

inline std::vector<SpfResult> parse_results(const std::string& list) {
  std::vector<SpfResult> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= list.size(); ++i) {
    if (i < list.size() && list[i] != ',') continue;
    SpfResult r{};
    if (!parse_result(list.substr(start, i - start), r)) throw std::runtime_error("bad result " + list);
    out.push_back(r);
    start = i + 1;
  }
  return out;
}

inline std::vector<Scenario> load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<Scenario> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto f = split_tabs(line);
    if (f[0] == "S") {
      out.emplace_back();
      out.back().description = f.at(1);
    } else if (f[0] == "Z") {
      add_zone_record(*out.back().zone, f);
    } else if (f[0] == "T") {
      Case c{out.back().description, f.at(1), f.at(2), f.at(3), f.at(4), parse_results(f.at(5)),
             f.at(6) == "1", f.at(7)};
      out.back().cases.push_back(std::move(c));
    }
  }
  return out;
}

// query_of - the suite's convention: check MAIL FROM, or postmaster@HELO for a null sender.
inline SpfQuery query_of(const Case& c) {
  SpfQuery q;
  q.ip = asio::ip::make_address(c.host);
  q.helo = c.helo;
  q.sender = c.mailfrom.empty() ? "postmaster@" + c.helo : c.mailfrom;
  q.domain = std::string(sender_domain(q.sender));
  return q;
}

}  // namespace postseal::spf::suite
