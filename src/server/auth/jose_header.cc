// Reads the JWS protected header. See jose_header.h.
#include "server/auth/jose_header.h"

#include <algorithm>
#include <cctype>

#include "server/auth/json_object.h"

namespace sk::server::auth::detail {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::variant<JoseHeader, TokenProblem> decode_jose_header(std::string_view json) {
  simdjson::dom::parser parser;
  const auto object = parse_json_object(parser, json);
  if (!object) return TokenProblem::malformed;

  JoseHeader header;
  bool has_alg = false;
  for (const auto field : *object) {
    if (field.key == "alg") {
      std::string_view alg;
      if (field.value.get_string().get(alg)) return TokenProblem::malformed;
      header.alg = alg;
      has_alg = true;
    } else if (field.key == "typ") {
      std::string_view typ;
      if (field.value.get_string().get(typ) || !equals_ignoring_case(typ, "JWT")) {
        return TokenProblem::malformed;
      }
    } else if (field.key == "crit") {
      return TokenProblem::malformed;
    }
  }
  if (!has_alg) return TokenProblem::malformed;
  return header;
}

}  // namespace sk::server::auth::detail
