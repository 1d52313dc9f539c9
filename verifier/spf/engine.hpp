// engine.hpp - SpfEngine: the SPF evaluator behind an interface, so the inbound services and
// `postseal spf` can run the native RFC 7208 engine (default) or libspf2 (spf.engine).
//
// Both take the same untrusted inputs (SpfQuery, DNS answers through dns::Resolver) and give
// an SpfOutcome. The native engine enforces every limit of spf.hpp; libspf2 enforces its own
// (see libspf2_engine.cpp for what it lacks) and its process-wide error handler is replaced
// so that an internal error becomes a permerror instead of abort().
#pragma once

#include "verifier/spf/spf.hpp"

#include <memory>
#include <string_view>

namespace postseal::spf {

class SpfEngine {
 public:
  virtual ~SpfEngine() = default;
  virtual std::string_view name() const = 0;
  virtual asio::awaitable<SpfOutcome> check_host(dns::Resolver& resolver, const SpfQuery& query,
                                                 const SpfOptions& options) = 0;
};

// kEngineNames - what spf.engine and --engine accept.
inline constexpr std::string_view kEngineNative = "native";
inline constexpr std::string_view kEngineLibspf2 = "libspf2";

std::unique_ptr<SpfEngine> make_native_engine();
std::unique_ptr<SpfEngine> make_libspf2_engine();
// make_engine - by name; nullptr if the name is unknown.
std::unique_ptr<SpfEngine> make_engine(std::string_view name);

}  // namespace postseal::spf
