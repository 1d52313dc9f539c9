// exposer.hpp - serve the registry as Prometheus text on http://LISTEN/metrics
// (prometheus-cpp's pull Exposer, an embedded civetweb server with its own two threads).
//
// start_exposer() is called by `postseal signer`, `verifier` and `srsd` after their
// listeners are bound and before privileges are dropped; with an empty metrics.listen it does
// nothing and counting stays off. Untrusted input: HTTP requests from whoever reaches the
// port (civetweb parses them; only GET /metrics is answered, with no input used). Limits: two
// server threads, so a slow scraper cannot take more. A port that cannot be bound is a
// StartupError (exit 78) naming metrics.listen.
#pragma once

#include "core/metrics/options.hpp"

#include <memory>
#include <string_view>

namespace prometheus {
class Exposer;
}

namespace postseal::metrics {

class Endpoint {
 public:
  explicit Endpoint(std::unique_ptr<prometheus::Exposer> exposer);
  ~Endpoint();
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;
  // port - the port it listens on.
  int port() const;

 private:
  std::unique_ptr<prometheus::Exposer> exposer_;
};

// start_exposer - enable counting and serve it, or nullptr when options.listen is empty;
// logs "metrics on http://ADDRESS:PORT/metrics" as `daemon`. Throws StartupError.
std::unique_ptr<Endpoint> start_exposer(const Options& options, std::string_view daemon);

}  // namespace postseal::metrics
