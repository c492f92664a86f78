// Private to auth: parses a decoded JOSE header or claims set as one JSON object.
//
// Duplicate top-level keys are refused: RFC 7515 §4 lets a parser either reject them or
// keep the last one, and two parsers that choose differently would read one signed
// token two ways (a proxy sees "role":"participant", we see "admin"). simdjson's
// error-code API only, so nothing throws. No I/O here.
#pragma once

#include <optional>
#include <string_view>

#include <simdjson.h>

namespace sk::server::auth::detail {

// The object, or nullopt when `text` is not JSON, not an object, or repeats a key.
// The result points into `parser`, which must outlive it.
std::optional<simdjson::dom::object> parse_json_object(simdjson::dom::parser& parser,
                                                       std::string_view text);

}  // namespace sk::server::auth::detail
