// AUDIT_DB for the embedded default: `sqlite:PATH` names the SQLite file the audit
// trail goes to (SPEC §6, issue 5). Parsing only; opening the file is the writer's job.
#pragma once

#include <string>
#include <string_view>

#include "domain/result.h"

namespace sk::audit::sqlite {

// `sqlite:PATH` -> PATH, relative (to the working directory) or absolute;
// `sqlite::memory:` -> ":memory:", a private in-memory database (tests only: it is
// gone when the writer closes). Anything else is Error::validation on field
// "AUDIT_DB" saying what was expected.
domain::Result<std::string> parse_audit_db(std::string_view value);

}  // namespace sk::audit::sqlite
