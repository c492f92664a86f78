// Claims set <-> JSON. See claims_json.h.
#include "server/auth/claims_json.h"

#include <optional>

#include <simdjson.h>

#include "domain/json.h"
#include "domain/uuid.h"
#include "server/auth/json_object.h"

namespace sk::server::auth {
namespace {

using simdjson::dom::element;

// A claim's value: absent, or present (possibly of the wrong type).
using Slot = std::optional<element>;

std::optional<std::int64_t> numeric_date(element value) {
  std::int64_t n = 0;
  if (value.get_int64().get(n) || n < 0 || n > kMaxNumericDate) return std::nullopt;
  return n;
}

std::optional<std::string> canonical_uuid(std::string_view text) {
  const auto id = domain::Uuid::parse(text);
  if (!id) return std::nullopt;
  return id->to_string();
}

std::optional<std::vector<std::string>> read_sessions(element value) {
  simdjson::dom::array array;
  if (value.get_array().get(array)) return std::nullopt;
  std::vector<std::string> sessions;
  for (const element item : array) {
    std::string_view text;
    if (item.get_string().get(text)) return std::nullopt;
    if (text == kAllSessions) {
      sessions.emplace_back(text);
      continue;
    }
    auto id = canonical_uuid(text);
    if (!id) return std::nullopt;
    sessions.push_back(std::move(*id));
  }
  if (sessions.empty()) return std::nullopt;
  // "*" means every session; next to ids it is either a mistake or an attempt to make
  // a reader that checks only the list see fewer sessions than we would grant.
  if (sessions.size() > 1) {
    for (const std::string& s : sessions) {
      if (s == kAllSessions) return std::nullopt;
    }
  }
  return sessions;
}

std::optional<std::vector<std::string>> read_audience(element value) {
  std::string_view one;
  if (!value.get_string().get(one)) return std::vector<std::string>{std::string(one)};
  simdjson::dom::array array;
  if (value.get_array().get(array)) return std::nullopt;
  std::vector<std::string> audience;
  for (const element item : array) {
    std::string_view text;
    if (item.get_string().get(text)) return std::nullopt;
    audience.emplace_back(text);
  }
  return audience;
}

void append_string_array(std::string& out, const std::vector<std::string>& items) {
  out.push_back('[');
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    domain::append_json_string(out, items[i]);
  }
  out.push_back(']');
}

void append_member(std::string& out, std::string_view key) {
  if (out.size() > 1) out.push_back(',');
  domain::append_json_string(out, key);
  out.push_back(':');
}

}  // namespace

std::variant<Claims, TokenProblem> decode_claims(std::string_view json) {
  simdjson::dom::parser parser;
  const auto object = detail::parse_json_object(parser, json);
  if (!object) return TokenProblem::malformed;

  Slot sub, role, sessions, exp, nbf, iat, iss, aud;
  for (const auto field : *object) {
    if (field.key == "sub")
      sub = field.value;
    else if (field.key == "role")
      role = field.value;
    else if (field.key == "sessions")
      sessions = field.value;
    else if (field.key == "exp")
      exp = field.value;
    else if (field.key == "nbf")
      nbf = field.value;
    else if (field.key == "iat")
      iat = field.value;
    else if (field.key == "iss")
      iss = field.value;
    else if (field.key == "aud")
      aud = field.value;
  }
  if (!sub || !role || !sessions || !exp) return TokenProblem::missing_claim;

  Claims claims;
  std::string_view text;
  if (role->get_string().get(text)) return TokenProblem::invalid_claim;
  const auto parsed_role = parse_role(text);
  if (!parsed_role) return TokenProblem::invalid_claim;
  claims.role = *parsed_role;

  if (sub->get_string().get(text) || text.empty()) return TokenProblem::invalid_claim;
  if (claims.role == Role::participant) {
    // The server matches it against participant ids: a participant token must name one.
    auto id = canonical_uuid(text);
    if (!id) return TokenProblem::invalid_claim;
    claims.sub = std::move(*id);
  } else {
    claims.sub = text;
  }

  auto session_list = read_sessions(*sessions);
  if (!session_list) return TokenProblem::invalid_claim;
  claims.sessions = std::move(*session_list);

  const auto expires = numeric_date(*exp);
  if (!expires) return TokenProblem::invalid_claim;
  claims.exp = *expires;
  if (nbf) {
    claims.nbf = numeric_date(*nbf);
    if (!claims.nbf) return TokenProblem::invalid_claim;
  }
  if (iat) {
    claims.iat = numeric_date(*iat);
    if (!claims.iat) return TokenProblem::invalid_claim;
  }
  if (iss) {
    if (iss->get_string().get(text)) return TokenProblem::invalid_claim;
    claims.iss = std::string(text);
  }
  if (aud) {
    auto audience = read_audience(*aud);
    if (!audience) return TokenProblem::invalid_claim;
    claims.aud = std::move(*audience);
  }
  return claims;
}

std::string encode_claims(const Claims& claims) {
  std::string out = "{";
  append_member(out, "sub");
  domain::append_json_string(out, claims.sub);
  append_member(out, "role");
  domain::append_json_string(out, to_string(claims.role));
  append_member(out, "sessions");
  append_string_array(out, claims.sessions);
  append_member(out, "exp");
  out += std::to_string(claims.exp);
  if (claims.nbf) {
    append_member(out, "nbf");
    out += std::to_string(*claims.nbf);
  }
  if (claims.iat) {
    append_member(out, "iat");
    out += std::to_string(*claims.iat);
  }
  if (claims.iss) {
    append_member(out, "iss");
    domain::append_json_string(out, *claims.iss);
  }
  if (claims.aud.size() == 1) {
    append_member(out, "aud");
    domain::append_json_string(out, claims.aud[0]);
  } else if (!claims.aud.empty()) {
    append_member(out, "aud");
    append_string_array(out, claims.aud);
  }
  out.push_back('}');
  return out;
}

}  // namespace sk::server::auth
