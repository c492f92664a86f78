#include "app/dependency_log.h"

namespace sk::app {

void DependencyLog::changed(std::string_view dependency, bool up) {
  const auto now = clock_.steady_now();
  std::optional<std::chrono::steady_clock::time_point> since;
  {
    std::lock_guard lock(mutex_);
    auto it = away_.find(dependency);
    if (it == away_.end()) it = away_.emplace(std::string{dependency}, std::nullopt).first;
    auto& away = it->second;
    if (up == !away.has_value()) return;  // no change
    since = away;
    away = up ? std::nullopt : std::optional{now};
  }
  metrics_.dependency_changed(dependency, up);
  if (!up) {
    log_.warn(R"("msg":"dependency lost","dependency":"{}")", dependency);
    return;
  }
  const auto down_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - *since).count();
  if (dependency == "redis") {
    log_.info(R"("msg":"dependency back","dependency":"redis","down_ms":{},"watchers":"re-synced")",
              down_ms);
  } else {
    log_.info(R"("msg":"dependency back","dependency":"{}","down_ms":{})", dependency, down_ms);
  }
}

}  // namespace sk::app
