// errors.hpp - start-up failures and their sysexits codes.
//
// Per-message and per-peer outcomes are values (std::expected, result enums); only start-up
// and configuration problems are thrown, and only main() catches them, printing the message
// and exiting with the code (sysexits.h: 64 usage, 65 data, 66 no input, 73 can't create,
// 75 temporary failure, 77 permission, 78 configuration).
#pragma once

#include <stdexcept>
#include <string>

namespace postseal {

enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 64,
  kExitDataErr = 65,
  kExitNoInput = 66,
  kExitSoftware = 70,
  kExitCantCreate = 73,
  kExitIoErr = 74,
  kExitTempFail = 75,
  kExitNoPerm = 77,
  kExitConfig = 78,
};

// StartupError - a failure that stops a command before it serves anything.
class StartupError : public std::runtime_error {
 public:
  StartupError(ExitCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

inline StartupError usage_error(const std::string& m) { return {kExitUsage, m}; }
inline StartupError config_error(const std::string& m) { return {kExitConfig, m}; }

}  // namespace postseal
