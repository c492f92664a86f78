#include "server/http/responses.h"

#include <boost/beast/http/field.hpp>
#include <boost/beast/version.hpp>

#include "domain/json.h"
#include "server/wire/error_codes.h"

namespace sk::server::http {

Response json_response(const Request& req, beast_http::status status, std::string body) {
  Response res{status, req.version()};
  res.set(beast_http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response data_response(const Request& req, beast_http::status status, std::string_view data_json) {
  std::string body;
  body.reserve(data_json.size() + 10);
  body += R"({"data":)";
  body += data_json;
  body += '}';
  return json_response(req, status, std::move(body));
}

namespace {

void append_details(std::string& out, const domain::Error& e) {
  if (!e.violations.empty()) {
    out += R"(,"details":[)";
    for (std::size_t i = 0; i < e.violations.size(); ++i) {
      if (i > 0) out += ',';
      out += R"({"field":)";
      domain::append_json_string(out, e.violations[i].field);
      out += R"(,"message":)";
      domain::append_json_string(out, e.violations[i].message);
      out += '}';
    }
    out += ']';
  } else if (e.conflict) {
    out += R"(,"details":{"subject":)";
    domain::append_json_string(out, e.conflict->subject);
    const bool numeric = e.conflict->subject == "version";
    for (const auto& [key, value] :
         {std::pair{"expected", &e.conflict->expected}, std::pair{"actual", &e.conflict->actual}}) {
      out += ",\"";
      out += key;
      out += "\":";
      if (numeric) {
        out += *value;
      } else {
        domain::append_json_string(out, *value);
      }
    }
    out += '}';
  } else if (e.current_status) {
    out += R"(,"details":{"current_status":")";
    out += domain::to_string(*e.current_status);
    out += "\"}";
  }
}

std::string error_body(std::string_view code, std::string_view message, const domain::Error* e) {
  std::string out = R"({"error":{"code":")";
  out += code;
  out += R"(","message":)";
  domain::append_json_string(out, message);
  if (e) append_details(out, *e);
  out += "}}";
  return out;
}

}  // namespace

Response error_response(const Request& req, const domain::Error& e) {
  return json_response(req, wire::error_status(e),
                       error_body(wire::error_code_name(e), wire::public_message(e), &e));
}

Response error_response(const Request& req, beast_http::status status, std::string_view code,
                        std::string_view message) {
  return json_response(req, status, error_body(code, message, nullptr));
}

}  // namespace sk::server::http
