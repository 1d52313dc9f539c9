// dns_lookup_command.cpp - `postseal dns-lookup NAME [TYPE]`: what postseal's resolver sees.
//
// A debugging aid for admins and tests: one lookup through the same resolver the services
// use (libunbound with --dns / dns.server / resolv.conf, or --dns-zone FILE), printed as
// "rcode: NOERROR" and then one zone-file line per record (TXT strings quoted with RFC 1035
// escapes, so the output reads back as a zone file). An IP address as NAME asks for its PTR.
// Exit status: 0 records found, 1 NXDOMAIN or no records (NODATA), 75 SERVFAIL or timeout.
// Untrusted input: the DNS answer (printed escaped, never raw).
#include "cli/commands.hpp"

#include "core/dns/resolver_factory.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/text.hpp"

#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <memory>

namespace postseal::cli {
namespace {

using namespace postseal::dns;

struct LookupArgs {
  std::string name;
  std::string type;
  std::string config_path;  // "" : the default file when it exists
  ResolverOptions resolver;
};

std::optional<RrType> type_from_name(std::string_view s) {
  for (RrType t : {RrType::a, RrType::aaaa, RrType::mx, RrType::txt, RrType::spf, RrType::ptr,
                   RrType::cname, RrType::ns}) {
    if (iequals(s, to_string(t))) return t;
  }
  return std::nullopt;
}

// reverse_name - the in-addr.arpa / ip6.arpa name of an address (RFC 1035 3.5, RFC 3596 2.5).
std::string reverse_name(const asio::ip::address& addr) {
  std::string out;
  if (addr.is_v4()) {
    auto b = addr.to_v4().to_bytes();
    return fmt::format("{}.{}.{}.{}.in-addr.arpa", b[3], b[2], b[1], b[0]);
  }
  auto b = addr.to_v6().to_bytes();
  for (std::size_t i = b.size(); i-- > 0;) {
    out += fmt::format("{:x}.{:x}.", b[i] & 0x0F, b[i] >> 4);
  }
  return out + "ip6.arpa";
}

// quote_string - a character-string in zone-file form: "...", with `"` `\` and bytes outside
// printable ASCII escaped (\" \\ \DDD).
std::string quote_string(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c > 0x7e) {
      out += fmt::format("\\{:03d}", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "\"";
}

std::string host(std::string_view name) { return name.empty() ? "." : printable(name) + "."; }

std::string rdata(const Record& r) {
  switch (r.type) {
    case RrType::a:
    case RrType::aaaa: return r.address.to_string();
    case RrType::mx: return fmt::format("{} {}", r.preference, host(r.name));
    case RrType::ns:
    case RrType::cname:
    case RrType::ptr: return host(r.name);
    case RrType::txt:
    case RrType::spf: {
      std::string out;
      for (const auto& s : r.strings) out += (out.empty() ? "" : " ") + quote_string(s);
      return out;
    }
  }
  return "?";
}

int run_lookup(LookupArgs args) {
  std::error_code ec;
  apply_config(config::File::load_or_default(args.config_path), args.resolver);
  std::string name = args.name;
  auto addr = asio::ip::make_address(name, ec);
  RrType type = ec ? RrType::a : RrType::ptr;
  if (!args.type.empty()) {
    auto t = type_from_name(args.type);
    if (!t) {
      throw usage_error(fmt::format("unknown type '{}' (A AAAA MX TXT SPF PTR CNAME NS)",
                                    printable(args.type, 20)));
    }
    type = *t;
  }
  if (!ec && type == RrType::ptr) name = reverse_name(addr);
  asio::io_context io;
  auto resolver = make_resolver(io, args.resolver);
  Answer answer;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { answer = co_await resolver->lookup(name, type); },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  std::printf("rcode: %s\n", std::string(to_string(answer.rcode)).c_str());
  std::string owner = host(name);
  for (const auto& r : answer.records) {
    std::printf("%s IN %s %s\n", owner.c_str(), std::string(to_string(r.type)).c_str(),
                rdata(r).c_str());
  }
  if (answer.temporary()) return kExitTempFail;
  return answer.records.empty() ? 1 : 0;
}

}  // namespace

void add_dns_lookup_command(CLI::App& app, Runner& run) {
  auto args = std::make_shared<LookupArgs>();
  auto* sub = app.add_subcommand(
      "dns-lookup",
      "Look a name up the way postseal does and print the rcode and records (exit 0: records, "
      "1: NXDOMAIN or none of that type, 75: SERVFAIL or timeout)");
  sub->add_option("NAME", args->name, "domain name, or an IP address (asks for its PTR)")
      ->required();
  sub->add_option("TYPE", args->type, "A (default), AAAA, MX, TXT, SPF, PTR, CNAME or NS");
  sub->add_option("-c,--config", args->config_path,
                  "config file for dns.server and dns.timeout_ms (default "
                  "/etc/postseal/postseal.toml if present)");
  dns::add_resolver_options(sub, args->resolver);
  sub->callback([&run, args] { run = [args] { return run_lookup(*args); }; });
}

}  // namespace postseal::cli
