// Decoding of WebSocket client input (see client_input.h). simdjson is used through its
// error-code API only, so nothing here throws on hostile input.
#include "server/ws/client_input.h"

#include <simdjson.h>

namespace sk::server::ws {

std::optional<std::string_view> query_parameter(std::string_view target, std::string_view name) {
  const auto question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(question + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    if (key != name) continue;
    return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
  }
  return std::nullopt;
}

SessionIdQuery parse_session_id(std::string_view target) {
  const auto value = query_parameter(target, "sessionId");
  if (!value || value->empty()) return {std::nullopt, "missing sessionId"};
  auto id = domain::Uuid::parse(*value);
  if (!id) return {std::nullopt, "invalid sessionId"};
  return {id, {}};
}

struct ClientRequestParser::Impl {
  simdjson::dom::parser parser;
};

ClientRequestParser::ClientRequestParser() : impl_(std::make_unique<Impl>()) {}
ClientRequestParser::~ClientRequestParser() = default;

namespace {

// An optional integer field: absent and null are "no value"; anything but an integer
// that fits in int64 is an error.
struct OptionalInt {
  std::optional<std::int64_t> value;
  bool ok = true;
};

OptionalInt optional_int(simdjson::dom::object object, std::string_view key) {
  simdjson::dom::element e;
  if (object.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) return {};
  std::int64_t v = 0;
  if (e.get_int64().get(v) != simdjson::SUCCESS) return {std::nullopt, false};
  return {v, true};
}

}  // namespace

ClientRequest ClientRequestParser::parse(std::string_view text) {
  simdjson::dom::element root;
  // realloc_if_needed: the frame buffer has no simdjson padding, so it is copied.
  if (impl_->parser.parse(text.data(), text.size(), true).get(root) != simdjson::SUCCESS) {
    return InvalidRequest{"malformed JSON"};
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return InvalidRequest{"a message must be a JSON object"};
  }
  std::string_view type;
  if (object.at_key("type").get_string().get(type) != simdjson::SUCCESS) {
    return InvalidRequest{"type is required and must be a string"};
  }
  if (type == "PING") {
    auto ts = optional_int(object, "client_timestamp");
    if (!ts.ok) return InvalidRequest{"client_timestamp must be an integer"};
    return PingRequest{ts.value};
  }
  if (type == "RECONNECT") {
    auto last = optional_int(object, "last_version");
    if (!last.ok || (last.value && *last.value < 0)) {
      return InvalidRequest{"last_version must be a non-negative integer"};
    }
    return ReconnectRequest{last.value};
  }
  if (type == "AUTH") {
    std::string_view token;
    if (object.at_key("token").get_string().get(token) != simdjson::SUCCESS || token.empty()) {
      return InvalidRequest{"token is required and must be a non-empty string"};
    }
    return AuthRequest{std::string{token}};
  }
  return InvalidRequest{"unknown message type"};
}

}  // namespace sk::server::ws
