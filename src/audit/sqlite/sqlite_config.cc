#include "audit/sqlite/sqlite_config.h"

#include <fmt/format.h>

namespace sk::audit::sqlite {
namespace {

constexpr std::string_view kField = "AUDIT_DB";
constexpr std::string_view kScheme = "sqlite:";

domain::Error invalid(std::string_view why) {
  return domain::Error::validation(
      std::string{kField},
      fmt::format("{}; expected sqlite:PATH, e.g. sqlite:/var/lib/synckairos/audit.db", why));
}

}  // namespace

domain::Result<std::string> parse_audit_db(std::string_view value) {
  if (value.empty()) return invalid("is empty");
  if (!value.starts_with(kScheme)) {
    // Shows only the scheme: the rest of a database URL may hold a password.
    const auto colon = value.find(':');
    const auto scheme = colon == std::string_view::npos ? std::string_view{"no scheme"}
                                                        : value.substr(0, colon + 1);
    return invalid(fmt::format("{} is not a SQLite location", scheme));
  }
  const auto path = value.substr(kScheme.size());
  if (path.empty()) return invalid("sqlite: needs a file path");
  // sqlite://host/... would read as a URL with a host part; a path never needs it.
  if (path.starts_with("//")) return invalid("sqlite: takes a path, not //host");
  // The path goes to SQLite as a C string: an embedded NUL would silently cut it.
  if (path.find('\0') != std::string_view::npos) return invalid("path contains a NUL byte");
  return std::string{path};
}

}  // namespace sk::audit::sqlite
