// DATABASE_URL handling: turns what the operator gave (a libpq URI
// "postgres://user:pass@host:port/db?..." or a key=value conninfo) into the conninfo
// the writer connects with, and a form of it that is safe to log. No I/O here
// (libpq's parser only).
#pragma once

#include <string>
#include <string_view>

#include "domain/result.h"

namespace sk::audit::postgres {

// The conninfo (key='value' pairs) for `database_url`, with `sslmode` applied when
// non-empty (disable, allow, prefer, require, verify-ca or verify-full),
// connect_timeout=5 unless the URL sets one, and application_name=synckairos unless
// it sets one. Errors are ErrorCode::validation on field DATABASE_URL or
// DATABASE_SSLMODE; their text never contains the password.
domain::Result<std::string> make_conninfo(std::string_view database_url,
                                          std::string_view sslmode = {});

// `url` (either form) with any password replaced by "***", for logs.
std::string redacted(std::string_view url);

}  // namespace sk::audit::postgres
