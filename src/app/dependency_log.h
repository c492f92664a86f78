// DependencyLog: what an operator sees when Redis or the audit database goes away and
// comes back. Each transition is logged once, warn on loss and info on return with
// how long it lasted (a Redis return also says the WebSocket watchers were told to
// re-sync), and counted in /metrics (synckairos_dependency_transitions_total,
// synckairos_dependency_up). The store and the audit probe only say "down"/"up";
// repeats of the same state are ignored here. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

#include "domain/clock.h"
#include "server/metrics.h"

namespace sk::app {

class DependencyLog {
 public:
  DependencyLog(spdlog::logger& log, server::Metrics& metrics, const domain::Clock& clock)
      : log_(log), metrics_(metrics), clock_(clock) {}

  // `dependency`: "redis", "postgres" or "sqlite" (a fixed set: it is a metric label).
  void changed(std::string_view dependency, bool up);

 private:
  spdlog::logger& log_;
  server::Metrics& metrics_;
  const domain::Clock& clock_;
  std::mutex mutex_;
  // Per dependency: since when it is away (none while it is up).
  std::map<std::string, std::optional<std::chrono::steady_clock::time_point>, std::less<>> away_;
};

}  // namespace sk::app
