#include "app/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "domain/json.h"

namespace sk::app {

std::shared_ptr<spdlog::logger> make_json_logger(const std::string& level) {
  auto logger = std::make_shared<spdlog::logger>("synckairos",
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  // Messages are written as JSON members (`"msg":"...", ...`), escaped by the caller.
  logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})",
                      spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  return logger;
}

std::string json_escape(std::string_view text) {
  std::string quoted;
  domain::append_json_string(quoted, text);
  return quoted.substr(1, quoted.size() - 2);
}

}  // namespace sk::app
