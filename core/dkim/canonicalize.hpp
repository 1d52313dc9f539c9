// canonicalize.hpp - RFC 6376 3.4 header and body canonicalization, streaming body hash.
//
// Header: simple (3.4.1) keeps the field as is; relaxed (3.4.2) lower-cases the name, unfolds,
// compresses WSP runs to one SP, strips WSP around the colon and at the end. Body: simple (3.4.3)
// removes trailing empty lines (an empty body becomes CRLF); relaxed (3.4.4) also strips WSP at
// line ends and compresses WSP runs, and an empty body stays empty. BodyHasher consumes the body
// in chunks split anywhere (a pending CR, WSP run or run of empty lines is carried across
// chunks), so chunked hashing equals one-pass hashing. Memory: O(1) besides the pending run
// counters. Input: body octets with CRLF line ends, dot-unstuffed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

typedef struct evp_md_st EVP_MD;

namespace postseal::dkim {

// Canon - RFC 6376 3.4 canonicalization algorithms (c= header/body).
enum class Canon { simple, relaxed };
// to_string - "simple" or "relaxed", as written in c=.
std::string_view to_string(Canon c);
// parse_canon_name - "simple" or "relaxed" (case-sensitive, RFC 6376 3.5) -> Canon.
std::optional<Canon> parse_canon_name(std::string_view name);

// canonicalize_header - one field (raw, without its final CRLF) -> canonical form with CRLF.
std::string canonicalize_header(Canon canon, std::string_view raw_field);
// append_canonical_header - the same, appended to `out`.
void append_canonical_header(Canon canon, std::string_view raw_field, std::string& out);

// BodyHasher - canonicalize and hash a body as it arrives.
class BodyHasher {
 public:
  // limit: hash at most this many canonical octets (a verifier honouring l=); nullopt = all.
  BodyHasher(Canon canon, const EVP_MD* md, std::optional<std::uint64_t> limit = std::nullopt);
  ~BodyHasher();
  BodyHasher(BodyHasher&&) noexcept;
  BodyHasher& operator=(BodyHasher&&) noexcept;

  void update(std::string_view chunk);
  // finish - the raw digest (32 octets for SHA-256).
  std::string finish();
  // canonical_length - canonical octets seen so far (finished body), for l= checks.
  std::uint64_t canonical_length() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace postseal::dkim
