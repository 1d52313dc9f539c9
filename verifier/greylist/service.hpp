// service.hpp - greylisting as a daemon runs it: the state store, the greylister over it and
// the answer settings ([greylist] defer_text, add_header), shared by every session (policy
// connections and milter transactions). Two steps at start: make_service reads [greylist], [state] and the whitelist files (as root, before
// the daemon drops privileges); start() opens the store as the user the daemon runs as, so
// the SQLite file and its -wal/-shm belong to that user. A SIGHUP makes a new Service from the
// reread [greylist] (delays, texts, skip rules, whitelist files) and adopt_store() hands it the
// running store: [state] and greylist.enable stay as started.
//
// Untrusted input at start-up: the config file ([greylist], [state]) and the whitelist files;
// errors are StartupError (exit 78) naming the key, file or FILE:LINE.
#pragma once

#include "core/state/options.hpp"
#include "core/state/store.hpp"
#include "core/util/clock.hpp"
#include "verifier/greylist/greylister.hpp"
#include "verifier/greylist/options.hpp"

#include <memory>
#include <optional>
#include <string>

namespace postseal::config {
class File;
}

namespace postseal::greylist {

// Service - the store, the greylister and how answers look.
struct Service {
  state::Options state;  // [state]: what start() opens
  Options options;       // the greylister's, handed over by start()
  std::shared_ptr<state::Store> store;  // shared with the services of later reloads
  std::unique_ptr<Greylister> greylister;  // null until start(): sessions do not greylist
  std::string defer_text{kDefaultDeferText};
  bool add_header = true;
  std::string host;  // "at HOST" of X-Greylist (the authserv-id)
};

// open_store - the store [state] names (state.backend: SQLite by default, Redis, memory);
// throws StartupError naming the key or the SQLite file.
std::unique_ptr<state::Store> open_store(const config::File& file, const Clock& clock);

// make_service - greylisting when enabled (`enable` overrides greylist.enable), else null;
// the store is not opened yet. Throws StartupError.
std::unique_ptr<Service> make_service(const config::File& file, std::optional<bool> enable, std::string host);

// start - open the store and make the greylister (once; `clock` must outlive the service).
// Throws StartupError naming the store (a SQLite file that cannot be opened or written).
void start(Service& service, const Clock& clock);

// adopt_store - a reloaded service greylists in `running`'s store (its options, the same
// records); nothing is opened, so it cannot fail.
void adopt_store(Service& reloaded, const Service& running, const Clock& clock);

}  // namespace postseal::greylist
