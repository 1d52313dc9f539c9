// engine.cpp - the native SpfEngine and the engine factory (see engine.hpp).
#include "verifier/spf/engine.hpp"

// GCC 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames at -O2.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace postseal::spf {
namespace {

class NativeEngine final : public SpfEngine {
 public:
  std::string_view name() const override { return kEngineNative; }
  asio::awaitable<SpfOutcome> check_host(dns::Resolver& resolver, const SpfQuery& query,
                                         const SpfOptions& options) override {
    co_return co_await spf::check_host(resolver, query, options);
  }
};

}  // namespace

std::unique_ptr<SpfEngine> make_native_engine() { return std::make_unique<NativeEngine>(); }

std::unique_ptr<SpfEngine> make_engine(std::string_view name) {
  if (name == kEngineNative) return make_native_engine();
  if (name == kEngineLibspf2) return make_libspf2_engine();
  return nullptr;
}

}  // namespace postseal::spf
