// smtp_command_fuzz.cpp - command, path, XFORWARD and reply-line parsers on arbitrary text:
// no crash, and accepted XFORWARD values respect the 255-octet limit.
#include "core/smtp/command.hpp"
#include "core/smtp/reply.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  using namespace postseal::smtp;
  if (auto c = parse_command(in); c && c->args.size() > kMaxCommandLineOctets) std::abort();
  (void)parse_path(in, "FROM:");
  if (auto x = parse_xforward(in))
    for (const auto& [name, value] : *x)
      if (value.size() > kMaxXforwardValueOctets) std::abort();
  (void)xtext_decode(in);
  if (auto r = parse_reply_line(in); r && (r->code < 200 || r->code > 599)) std::abort();
  return 0;
}
