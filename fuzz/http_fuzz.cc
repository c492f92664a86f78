// libFuzzer target: raw bytes of one HTTP connection into the REST router, the way
// http_session.cc reads them: Beast's request_parser with the server's limits, each
// request that parses handed to Router::handle() (or, for a WebSocket upgrade of /ws,
// to admit_upgrade()), backed by a real SessionService over a MemoryStore, so the
// decoders, the engine and the store all see what the fuzzer writes.
//
// Input layout: the first byte picks the mode (bit 0: auth on, an HS256 verifier;
// bit 1: rate limits on, a MemoryRateLimiter), the rest is the byte stream of one
// keep-alive connection: up to kMaxRequests pipelined requests, so a create can be
// followed by commands on the session it made. Like the server, the stream stops at
// the first request that does not parse (the server answers 400/413/431 and closes)
// and after a response that closes the connection.
//
// Long polls: the router's max_long_poll is kMaxLongPoll (a few ms), so a wait_ms the
// fuzzer writes either fails validation or waits at most that long on a real timer.
//
// Properties (a violation aborts, which libFuzzer records as a crash), per response:
//  - its status is one the API documents, never 500 (INTERNAL_ERROR is a bug);
//  - 401/403 only with auth on, 429 only with rate limits on;
//  - 204 and 304 have no body; every other response but the open routes' own answers
//    (health, ready, metrics, time, the API description) is JSON with exactly one
//    member, "data" or "error", and an error has string "code" and "message";
//  - serialized, it parses back as the same status and body (no header a client could
//    not read, e.g. a CR/LF smuggled into a value).
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iterator>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <simdjson.h>

#include "domain/clock.h"
#include "domain/limits.h"
#include "server/auth/token.h"
#include "server/http/change_waiter.h"
#include "server/http/request_guard.h"
#include "server/http/router.h"
#include "server/id_generator.h"
#include "server/limits/memory_rate_limiter.h"
#include "server/metrics.h"
#include "server/session_service.h"
#include "store/memory/memory_store.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = sk::server::http;
using sk::domain::ManualClock;

// Shared with the tokens in fuzz/corpus/http/ (HS256, exp in 2100), so they verify.
constexpr std::string_view kSecret = "synckairos-fuzz-secret-0123456789abcdef";
// 2026-01-01T00:00:00Z, as the engine tests start.
constexpr std::int64_t kStartMs = 1'767'225'600'000;
constexpr int kMaxRequests = 32;
constexpr std::chrono::milliseconds kMaxLongPoll{3};
// Time the clock moves between two requests, so deadlines and rate buckets move.
constexpr sk::domain::Millis kStep{50};
// http_session.h HttpLimits defaults: what the server's parser is given.
constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
constexpr std::size_t kMaxHeaderFields = 100;

using Parser = beast::http::request_parser<beast::http::string_body>;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

const sk::server::auth::TokenVerifier& verifier() {
  static const auto v = sk::server::auth::TokenVerifier::from_secret(std::string(kSecret)).value();
  return v;
}

struct Mode {
  bool auth = false;
  bool rate_limits = false;
};

// One server's worth of components, fresh for every input so that runs replay.
// Declared in construction order: the io_context outlives everything on it.
struct World {
  explicit World(Mode m) : mode(m) {
    http::RouterOptions options;
    options.max_long_poll = kMaxLongPoll;
    if (mode.auth || mode.rate_limits) {
      http::GuardOptions g;
      if (mode.auth) g.verifier = &verifier();
      if (mode.rate_limits) {
        g.limiter = &limiter;
        g.client_limit = {4, std::chrono::milliseconds{1000}};
        g.switch_limit = {2, std::chrono::milliseconds{1000}};
        g.ws_connect_limit = {2, std::chrono::milliseconds{1000}};
      }
      g.trusted_proxies = http::TrustedProxies::parse("127.0.0.0/8, ::1").value();
      guard.emplace(std::move(g), metrics, clock);
      options.guard = &*guard;
    }
    router.emplace(sessions, metrics, waiter, ids, std::move(options));
  }

  Mode mode;
  asio::io_context io;
  ManualClock clock{sk::domain::from_unix_ms(kStartMs)};
  sk::store::MemoryStore store{io.get_executor(), clock};
  sk::server::Metrics metrics;
  sk::server::SessionService sessions{store, clock, &metrics};
  http::ChangeWaiter waiter{sessions};
  sk::server::IdGenerator ids;
  sk::server::limits::MemoryRateLimiter limiter{clock};
  std::optional<http::RequestGuard> guard;
  std::optional<http::Router> router;
  const asio::ip::address peer = asio::ip::make_address("127.0.0.1");
};

// Parses the next request of `rest` (consuming it) as the server's read would; false
// when it does not parse (400, 413, 431) or never completes (the server would wait
// for the rest, then time out).
bool parse_one(Parser& parser, std::string_view& rest) {
  parser.body_limit(sk::domain::limits::kMaxBodyBytes);
  parser.header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
  while (!parser.is_done()) {
    if (rest.empty()) return false;
    beast::error_code ec;
    const std::size_t n = parser.put(asio::buffer(rest.data(), rest.size()), ec);
    rest.remove_prefix(n);
    if (ec == beast::http::error::need_more && n > 0) continue;
    if (ec || n == 0) return false;
  }
  const auto& fields = parser.get().base();
  return static_cast<std::size_t>(std::distance(fields.begin(), fields.end())) <= kMaxHeaderFields;
}

bool is_open_path(std::string_view path) {
  return path == "/health" || path == "/ready" || path == "/metrics" || path == "/v1/time" ||
         path == "/openapi.json" || path == "/docs";
}

// {"data": ...} or {"error": {"code": "...", "message": "...", ...}}, nothing else.
void check_envelope(const std::string& body) {
  static simdjson::dom::parser json;
  simdjson::dom::element doc;
  require(json.parse(body).get(doc) == simdjson::SUCCESS, "response body is not JSON");
  simdjson::dom::object top;
  require(doc.get(top) == simdjson::SUCCESS, "response body is not a JSON object");
  require(top.size() == 1, "envelope has other members than data or error");
  const auto member = *top.begin();
  if (member.key == "data") return;
  require(member.key == "error", "envelope member is neither data nor error");
  simdjson::dom::object error;
  require(member.value.get(error) == simdjson::SUCCESS, "error is not an object");
  std::string_view code;
  std::string_view message;
  require(error["code"].get(code) == simdjson::SUCCESS && !code.empty(), "error without a code");
  require(error["message"].get(message) == simdjson::SUCCESS, "error without a message");
  require(code != "INTERNAL_ERROR", "INTERNAL_ERROR returned");
}

// What a client reading the wire sees: the response serialized and parsed back.
void check_wire(const http::Response& res) {
  std::ostringstream out;
  out << res;
  const std::string wire = out.str();
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(wire.size());
  parser.skip(res.result() == beast::http::status::not_modified ||
              res.result() == beast::http::status::no_content);
  beast::error_code ec;
  std::size_t used = 0;
  while (!ec && !parser.is_done() && used < wire.size()) {
    used += parser.put(asio::buffer(wire.data() + used, wire.size() - used), ec);
  }
  if (!parser.is_done() && !ec) parser.put_eof(ec);
  require(!ec && parser.is_done(), "the serialized response does not parse");
  require(used == wire.size(), "the serialized response has bytes after its end");
  require(parser.get().result() == res.result(), "status changed on the wire");
  require(parser.get().body() == res.body(), "body changed on the wire");
}

// SK_FUZZ_TRACE=1 prints each request's path and answer (to check what seeds reach).
void trace(std::string_view path, const http::Response& res) {
  static const bool on = std::getenv("SK_FUZZ_TRACE") != nullptr;
  if (!on) return;
  std::fprintf(stderr, "%.*s -> %u %.*s\n", static_cast<int>(path.size()), path.data(),
               res.result_int(), static_cast<int>(std::min<std::size_t>(res.body().size(), 160)),
               res.body().data());
}

void check_response(const World& world, std::string_view path, const http::Response& res) {
  trace(path, res);
  static const std::set<unsigned> kKnown{200, 201, 204, 304, 400, 401, 403,
                                         404, 405, 409, 413, 429, 503};
  const unsigned status = res.result_int();
  require(status != 500, "500 returned");
  require(kKnown.contains(status), "status outside the documented set");
  if (!world.mode.auth) require(status != 401 && status != 403, "auth refusal with auth off");
  if (!world.mode.rate_limits) require(status != 429, "rate limit refusal with limits off");
  // The memory engine never fails and no other instance races this one.
  require(status != 503, "503 from an in-process store");
  if (status == 204 || status == 304) {
    require(res.body().empty(), "a 204/304 with a body");
  } else if (!(is_open_path(path) && status == 200)) {
    check_envelope(res.body());
  }
  if (status == 201) {
    require(res[beast::http::field::location].starts_with("/v1/sessions/"), "201 without Location");
  }
  check_wire(res);
}

asio::awaitable<void> serve(World& world, std::string_view rest) {
  for (int i = 0; i < kMaxRequests && !rest.empty(); ++i) {
    Parser parser;
    if (!parse_one(parser, rest)) co_return;
    http::Request req = parser.release();
    const std::string target{req.target()};
    const std::string_view path = std::string_view{target}.substr(0, target.find('?'));
    if (beast::websocket::is_upgrade(req) && path == "/ws") {
      // The connection becomes a WebSocket (the hub's business) or is refused here.
      const auto admission = co_await world.router->admit_upgrade(req, world.peer);
      if (admission.refused) {
        const auto code = admission.refused->code;
        if (!world.mode.auth) {
          require(code != sk::domain::ErrorCode::unauthorized &&
                      code != sk::domain::ErrorCode::forbidden,
                  "upgrade refused by auth with auth off");
        }
        check_response(world, path, world.router->upgrade_refusal(req, admission));
      }
      co_return;
    }
    const http::Response res = co_await world.router->handle(std::move(req), world.peer);
    check_response(world, path, res);
    if (!res.keep_alive()) co_return;
    world.clock.advance(kStep);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const Mode mode{(data[0] & 1) != 0, (data[0] & 2) != 0};
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  World world(mode);
  bool done = false;
  asio::co_spawn(world.io, serve(world, stream), [&done](std::exception_ptr e) {
    require(!e, "an exception escaped the router");
    done = true;
  });
  // Not run(): the store's sweep timer keeps the context busy until the store closes.
  while (!done) world.io.run_one();
  return 0;
}
