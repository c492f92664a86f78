// What a WebSocket client sends (SPEC §4), decoded into values: the sessionId of the
// upgrade request's target, and the JSON text frames PING, RECONNECT and AUTH. Pure: no
// I/O, no clock, nothing thrown; every defect is a message safe to show the client.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "domain/uuid.h"

namespace sk::server::ws {

// The value of query parameter `name` in a request target ("/ws?a=1&b=2"), undecoded.
// nullopt when absent; the first occurrence wins.
std::optional<std::string_view> query_parameter(std::string_view target, std::string_view name);

// The sessionId of "/ws?sessionId=<uuid>[&token=...]", or why there is none: the
// close reason for code 1008 ("missing sessionId" or "invalid sessionId"). UUIDs need
// no percent-decoding, so an encoded one is simply invalid.
struct SessionIdQuery {
  std::optional<domain::Uuid> id;
  std::string_view error;  // set exactly when `id` is not
};
SessionIdQuery parse_session_id(std::string_view target);

struct PingRequest {
  std::optional<std::int64_t> client_timestamp;
};
struct ReconnectRequest {
  std::optional<std::int64_t> last_version;  // absent: the client holds no state
};
// A fresh token for an open socket, before the one it connected with expires.
struct AuthRequest {
  std::string token;
};
struct InvalidRequest {
  std::string message;  // for an ERROR {code: VALIDATION_ERROR}
};
using ClientRequest = std::variant<PingRequest, ReconnectRequest, AuthRequest, InvalidRequest>;

// Decodes client text frames. Keeps its JSON parser's buffers between frames, so one
// per connection; not thread-safe. Unknown fields are ignored (clients may be newer
// than the server); `null` counts as absent.
class ClientRequestParser {
 public:
  ClientRequestParser();
  ~ClientRequestParser();
  ClientRequestParser(const ClientRequestParser&) = delete;
  ClientRequestParser& operator=(const ClientRequestParser&) = delete;

  ClientRequest parse(std::string_view text);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sk::server::ws
