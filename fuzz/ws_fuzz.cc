// libFuzzer target: what a WebSocket client controls (server/ws/client_input.h): the
// text frames it sends, decoded by ClientRequestParser::parse(), and the upgrade
// request's target, read by query_parameter() and parse_session_id().
//
// Each input is used as a frame and as a target. Properties beyond "no crash, no
// sanitizer report" (a violation aborts, which libFuzzer records as a crash):
//  - parse() is a function of its text: the same parser again (it keeps buffers
//    between frames) and a fresh one give the same request;
//  - an InvalidRequest has a message; an AuthRequest a non-empty token; a
//    ReconnectRequest no negative last_version;
//  - a decoded PING, RECONNECT or AUTH, encoded again as the client would send it,
//    decodes to the same value;
//  - query_parameter() returns a piece of the query (after '?', before '#') with no
//    '&' in it; parse_session_id() gives exactly one of an id and a known reason, and
//    its id is the canonical parse of the sessionId parameter;
//  - a valid sessionId put first wins whatever follows it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "domain/json.h"
#include "domain/uuid.h"
#include "server/ws/client_input.h"

namespace {

using namespace sk::server::ws;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

bool same(const ClientRequest& a, const ClientRequest& b) {
  if (a.index() != b.index()) return false;
  if (const auto* p = std::get_if<PingRequest>(&a)) {
    return p->client_timestamp == std::get<PingRequest>(b).client_timestamp;
  }
  if (const auto* r = std::get_if<ReconnectRequest>(&a)) {
    return r->last_version == std::get<ReconnectRequest>(b).last_version;
  }
  if (const auto* t = std::get_if<AuthRequest>(&a))
    return t->token == std::get<AuthRequest>(b).token;
  return std::get<InvalidRequest>(a).message == std::get<InvalidRequest>(b).message;
}

// The frame a client would send for `request` (nullopt-valued fields left out).
std::string encode(const ClientRequest& request) {
  if (const auto* p = std::get_if<PingRequest>(&request)) {
    std::string out = R"({"type":"PING")";
    if (p->client_timestamp)
      out += R"(,"client_timestamp":)" + std::to_string(*p->client_timestamp);
    return out + "}";
  }
  if (const auto* r = std::get_if<ReconnectRequest>(&request)) {
    std::string out = R"({"type":"RECONNECT")";
    if (r->last_version) out += R"(,"last_version":)" + std::to_string(*r->last_version);
    return out + "}";
  }
  std::string out = R"({"type":"AUTH","token":)";
  sk::domain::append_json_string(out, std::get<AuthRequest>(request).token);
  return out + "}";
}

ClientRequestParser& shared_parser() {
  static ClientRequestParser parser;  // reused across inputs, as one connection's is
  return parser;
}

void check_frame(std::string_view text) {
  ClientRequestParser& parser = shared_parser();
  const ClientRequest first = parser.parse(text);
  require(same(first, parser.parse(text)), "a reused parser decoded a frame differently");
  ClientRequestParser fresh;
  require(same(first, fresh.parse(text)), "a fresh parser decoded a frame differently");

  if (const auto* invalid = std::get_if<InvalidRequest>(&first)) {
    require(!invalid->message.empty(), "an InvalidRequest without a message");
    return;
  }
  if (const auto* auth = std::get_if<AuthRequest>(&first)) {
    require(!auth->token.empty(), "an AuthRequest with an empty token");
  }
  if (const auto* reconnect = std::get_if<ReconnectRequest>(&first)) {
    require(!reconnect->last_version || *reconnect->last_version >= 0, "a negative last_version");
  }
  require(same(first, parser.parse(encode(first))), "encode -> parse changed the request");
}

void check_target(std::string_view target) {
  for (const std::string_view name : {"sessionId", "token", ""}) {
    const auto value = query_parameter(target, name);
    if (!value) continue;
    const auto question = target.find('?');
    require(question != std::string_view::npos, "a parameter of a target without a query");
    const std::string_view query = target.substr(question + 1);
    const std::string_view before_fragment = query.substr(0, query.find('#'));
    // Empty values may be any empty view; the others must point into the query.
    if (!value->empty()) {
      require(value->data() >= before_fragment.data() &&
                  value->data() + value->size() <= before_fragment.data() + before_fragment.size(),
              "a parameter value outside the query");
    }
    require(value->find('&') == std::string_view::npos, "a parameter value with '&'");
  }

  const SessionIdQuery q = parse_session_id(target);
  require(q.id.has_value() != !q.error.empty(), "not exactly one of id and error");
  if (q.id) {
    const auto value = query_parameter(target, "sessionId");
    require(value.has_value(), "an id without a sessionId parameter");
    const auto parsed = sk::domain::Uuid::parse(*value);
    require(parsed && *parsed == *q.id, "the id is not the sessionId parameter's");
  } else {
    require(q.error == "missing sessionId" || q.error == "invalid sessionId", "unknown reason");
  }

  // A valid sessionId first wins whatever the rest of the query says.
  const std::string id = "5e550000-0000-4000-8000-000000000001";
  std::string prefixed = "/ws?sessionId=" + id + "&";
  prefixed.append(target);
  const SessionIdQuery first = parse_session_id(prefixed);
  require(first.id && first.id->to_string() == id, "a leading valid sessionId was not taken");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_frame(input);
  check_target(input);
  return 0;
}
