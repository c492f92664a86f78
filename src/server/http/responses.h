// Building HTTP responses: the success envelope {"data": ...}, the error envelope
// {"error": {code, message, details?}} with the codes and statuses of SPEC §3, and the
// common headers (JSON content type, CORS). Domain errors are named and given
// their status by wire/error_codes.h. No I/O here.
#pragma once

#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include "domain/errors.h"

namespace sk::server::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

Response json_response(const Request& req, beast_http::status status, std::string body);
// {"data": <data_json>}
Response data_response(const Request& req, beast_http::status status, std::string_view data_json);
Response error_response(const Request& req, const domain::Error& e);
// An error that is not a domain error (unknown route, rate limit, ...).
Response error_response(const Request& req, beast_http::status status, std::string_view code,
                        std::string_view message);

}  // namespace sk::server::http
