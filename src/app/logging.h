// Structured JSON logs on stderr, one object per line, UTC timestamps. The logger is
// created here and passed down; nothing logs through a global.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace sk::app {

std::shared_ptr<spdlog::logger> make_json_logger(const std::string& level);

// Escapes `text` for use inside a JSON string in a log message.
std::string json_escape(std::string_view text);

}  // namespace sk::app
