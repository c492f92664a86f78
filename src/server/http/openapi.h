// The API description served at GET /openapi.json (OpenAPI 3.0) and a human page at
// GET /docs. Static text compiled into the binary.
#pragma once

#include <string_view>

namespace sk::server::http {

std::string_view openapi_json();
std::string_view api_docs_html();

}  // namespace sk::server::http
