// protocol.cpp - milter frames and packets decoded and encoded (see protocol.hpp,
// docs/milter-protocol.md).
#include "verifier/milter/protocol.hpp"

#include <algorithm>

namespace postseal::milter::protocol {
namespace {

// take_string - the NUL-terminated string at the front of `data` (the NUL dropped from both).
std::optional<std::string_view> take_string(std::string_view& data) {
  auto nul = data.find('\0');
  if (nul == std::string_view::npos) return std::nullopt;
  auto s = data.substr(0, nul);
  data.remove_prefix(nul + 1);
  return s;
}

}  // namespace

std::optional<Stage> stage_of(char cmd) {
  switch (cmd) {
    case command::connect: return Stage::connect;
    case command::helo: return Stage::helo;
    case command::mail: return Stage::envfrom;
    case command::rcpt: return Stage::envrcpt;
    case command::data: return Stage::data;
    case command::eoh: return Stage::eoh;
    case command::eom: return Stage::eom;
    default: return std::nullopt;
  }
}

std::uint32_t get_u32(std::string_view four) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4 && i < four.size(); ++i)
    v = (v << 8) | static_cast<unsigned char>(four[i]);
  return v;
}

void put_u32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((value >> shift) & 0xff));
}

FrameResult next_frame(std::string_view buffer) {
  FrameResult r;
  if (buffer.size() < kLengthOctets) return r;
  const std::uint32_t length = get_u32(buffer.substr(0, kLengthOctets));
  if (length == 0) {
    r.error = FrameError::zero_length;
    return r;
  }
  if (length > kMaxPacketOctets) {
    r.error = FrameError::too_long;
    return r;
  }
  if (buffer.size() - kLengthOctets < length) return r;
  r.frame = Frame{buffer[kLengthOctets], buffer.substr(kLengthOctets + 1, length - 1)};
  r.consumed = kLengthOctets + length;
  return r;
}

std::optional<OptNeg> parse_optneg(std::string_view data) {
  if (data.size() < 3 * kLengthOctets) return std::nullopt;
  return OptNeg{get_u32(data.substr(0, 4)), get_u32(data.substr(4, 4)), get_u32(data.substr(8, 4))};
}

std::optional<Negotiated> negotiate(const OptNeg& mta, const Wanted& wanted) {
  if (mta.version < 2) return std::nullopt;
  Negotiated n;
  n.actions = mta.actions & wanted.actions;
  n.steps = mta.steps & wanted.steps;
  put_u32(n.reply_data, std::min(mta.version, kVersion));
  put_u32(n.reply_data, n.actions);
  put_u32(n.reply_data, n.steps);
  if ((n.actions & action::setsymlist) != 0) {
    for (const auto& [stage, list] : wanted.macros) {
      put_u32(n.reply_data, static_cast<std::uint32_t>(stage));
      n.reply_data.append(list);
      n.reply_data.push_back('\0');
    }
  }
  return n;
}

std::optional<Connect> parse_connect(std::string_view data) {
  Connect c;
  auto host = take_string(data);
  if (!host || data.empty()) return std::nullopt;
  c.hostname = *host;
  c.family = data[0];
  data.remove_prefix(1);
  if (c.family == 'U') return c;
  if (c.family != '4' && c.family != '6' && c.family != 'L') return std::nullopt;
  if (data.size() < 2) return std::nullopt;
  c.port = static_cast<std::uint16_t>((static_cast<unsigned char>(data[0]) << 8) |
                                      static_cast<unsigned char>(data[1]));
  data.remove_prefix(2);
  auto address = take_string(data);
  if (!address) return std::nullopt;
  c.address = *address;
  return c;
}

std::optional<Header> parse_header(std::string_view data) {
  auto name = take_string(data);
  if (!name) return std::nullopt;
  auto value = take_string(data);
  if (!value) return std::nullopt;
  return Header{*name, *value};
}

std::optional<std::vector<std::string_view>> parse_strings(std::string_view data, std::size_t max) {
  if (data.empty() || data.back() != '\0') return std::nullopt;
  std::vector<std::string_view> out;
  while (!data.empty() && out.size() < max) out.push_back(*take_string(data));
  return out;
}

std::optional<Macros> parse_macros(std::string_view data) {
  if (data.empty()) return std::nullopt;
  Macros m;
  m.command = data[0];
  data.remove_prefix(1);
  while (!data.empty() && m.pairs.size() < kMaxMacros) {
    auto name = take_string(data);
    if (!name) return std::nullopt;
    auto value = take_string(data);
    if (!value) break;  // a name without its value: dropped
    m.pairs.emplace_back(*name, *value);
  }
  return m;
}

void append_packet(std::string& out, char cmd, std::string_view data) {
  put_u32(out, static_cast<std::uint32_t>(data.size() + 1));
  out.push_back(cmd);
  out.append(data);
}

void append_replycode(std::string& out, std::string_view text) {
  put_u32(out, static_cast<std::uint32_t>(text.size() + 2));
  out.push_back(reply::replycode);
  out.append(text);
  out.push_back('\0');
}

void append_header_change(std::string& out, char cmd, std::optional<std::uint32_t> index,
                          std::string_view name, std::string_view value) {
  const std::size_t size = 1 + (index ? 4 : 0) + name.size() + 1 + value.size() + 1;
  put_u32(out, static_cast<std::uint32_t>(size));
  out.push_back(cmd);
  if (index) put_u32(out, *index);
  out.append(name);
  out.push_back('\0');
  out.append(value);
  out.push_back('\0');
}

void append_string(std::string& out, char cmd, std::string_view text) {
  put_u32(out, static_cast<std::uint32_t>(text.size() + 2));
  out.push_back(cmd);
  out.append(text);
  out.push_back('\0');
}

}  // namespace postseal::milter::protocol
