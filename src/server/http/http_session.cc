// The request loop of one HTTP connection (see http_session.h). Each request is read
// in three bounded waits, so that no client holds a connection, or the memory of a
// half-read request, longer than the caps allow:
//   idle     the first byte of the next request: idle_timeout (keep-alive), unless a
//            pipelined request is already in the buffer;
//   header   until the header is complete: header_timeout, at most max_header_bytes
//            (Beast's header_limit), then at most max_header_fields fields;
//   body     until the body is complete: body_timeout, at most max_body_bytes.
// A request over the connection's rate gets 429 without reaching the router.
#include "server/http/http_session.h"

#include <array>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <fmt/format.h>

namespace sk::server::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// The idle wait reads up to this much of a request; the parser reads the rest.
constexpr std::size_t kFirstRead = 4096;
// Closing a socket that has unread bytes makes the kernel answer with a reset, which
// may destroy our last response before the client has read it. So a response that
// ends the connection is followed by reading and dropping what the client still
// sends (its unread body, a pipelined request), within these bounds.
constexpr std::chrono::seconds kLingerTime{1};
constexpr std::size_t kLingerBytes = 64 * 1024;

using Parser = beast::http::request_parser<beast::http::string_body>;

// Why a request could not be read.
enum class ReadFailure {
  none,
  gone,              // the peer closed or reset, or we are shutting down
  timeout,           // header or body not complete in time (a slow client)
  body_too_large,    // 413
  header_too_large,  // 431
  too_many_fields,   // 431
  malformed,         // 400
};

ReadFailure classify(const beast::error_code& ec) {
  if (ec == beast::http::error::body_limit) return ReadFailure::body_too_large;
  if (ec == beast::http::error::header_limit) return ReadFailure::header_too_large;
  if (ec == beast::error::timeout) return ReadFailure::timeout;
  if (ec == beast::http::error::end_of_stream || ec == asio::error::connection_reset ||
      ec == asio::error::eof || ec == asio::error::operation_aborted) {
    return ReadFailure::gone;
  }
  return ReadFailure::malformed;
}

// Reads one request whose first bytes may already be in `buffer`.
asio::awaitable<ReadFailure> read_request(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                          Parser& parser, const HttpLimits& limits) {
  stream.expires_after(limits.header_timeout);
  auto [header_ec, header_bytes] =
      co_await beast::http::async_read_header(stream, buffer, parser, kUseTuple);
  (void)header_bytes;
  if (header_ec) co_return classify(header_ec);
  const auto& fields = parser.get().base();
  if (static_cast<std::size_t>(std::distance(fields.begin(), fields.end())) >
      limits.max_header_fields) {
    co_return ReadFailure::too_many_fields;
  }
  if (!parser.is_done()) {
    stream.expires_after(limits.body_timeout);
    auto [body_ec, body_bytes] =
        co_await beast::http::async_read(stream, buffer, parser, kUseTuple);
    (void)body_bytes;
    if (body_ec) co_return classify(body_ec);
  }
  co_return ReadFailure::none;
}

// What a failed read is answered with, if anything (the connection closes after it).
std::optional<Response> answer_to(ReadFailure failure, const SessionContext& ctx) {
  const Request fallback{beast::http::verb::get, "/", 11};
  switch (failure) {
    case ReadFailure::none:
    case ReadFailure::gone: return std::nullopt;
    case ReadFailure::timeout:
      // A client this slow would not read an answer either.
      ctx.metrics.limit_hit(Limit::request_timeout);
      return std::nullopt;
    case ReadFailure::body_too_large:
      return error_response(fallback, domain::Error::payload_too_large(ctx.max_body_bytes));
    case ReadFailure::header_too_large:
      ctx.metrics.limit_hit(Limit::header_bytes);
      return error_response(
          fallback, beast::http::status::request_header_fields_too_large, "VALIDATION_ERROR",
          fmt::format("request header too large (at most {} bytes)", ctx.limits.max_header_bytes));
    case ReadFailure::too_many_fields:
      ctx.metrics.limit_hit(Limit::header_fields);
      return error_response(
          fallback, beast::http::status::request_header_fields_too_large, "VALIDATION_ERROR",
          fmt::format("too many header fields (at most {})", ctx.limits.max_header_fields));
    case ReadFailure::malformed:
      return error_response(fallback, beast::http::status::bad_request, "VALIDATION_ERROR",
                            "malformed HTTP request");
  }
  return std::nullopt;
}

// Sends FIN, then reads and drops what the client still sends (bounded), so that the
// close is not a reset; the caller's stream then closes the socket.
asio::awaitable<void> linger(beast::tcp_stream& stream) {
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  stream.expires_after(kLingerTime);
  std::array<char, 2048> sink{};
  std::size_t dropped = 0;
  while (dropped < kLingerBytes) {
    auto [read_ec, n] = co_await stream.async_read_some(asio::buffer(sink), kUseTuple);
    if (read_ec) break;  // the client's FIN (eof), the time limit, or a reset
    dropped += n;
  }
}

asio::awaitable<void> send_and_close(beast::tcp_stream& stream, Response res,
                                     std::chrono::steady_clock::duration write_timeout) {
  res.keep_alive(false);
  stream.expires_after(write_timeout);
  auto [ec, written] = co_await beast::http::async_write(stream, res, kUseTuple);
  (void)written;
  if (!ec) co_await linger(stream);
}

std::int64_t whole_seconds_at_least_one(std::chrono::steady_clock::duration d) {
  const auto s = std::chrono::ceil<std::chrono::seconds>(d).count();
  return s < 1 ? 1 : s;
}

}  // namespace

asio::awaitable<void> run_http_session(beast::tcp_stream stream, SessionContext ctx,
                                       ConnectionSlot slot) {
  beast::flat_buffer buffer;
  ConnectionRate rate(ctx.limits.requests);
  // Once per connection, not per request (a getpeername system call each time).
  beast::error_code peer_ec;
  const auto peer = stream.socket().remote_endpoint(peer_ec).address();
  for (;;) {
    if (buffer.size() == 0) {
      stream.expires_after(ctx.idle_timeout);
      auto [idle_ec, n] = co_await stream.async_read_some(buffer.prepare(kFirstRead), kUseTuple);
      if (idle_ec) break;  // closed, or idle too long: nothing to answer
      buffer.commit(n);
    }
    Parser parser;
    parser.body_limit(ctx.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(ctx.limits.max_header_bytes));
    const auto failure = co_await read_request(stream, buffer, parser, ctx.limits);
    if (failure != ReadFailure::none) {
      if (auto answer = answer_to(failure, ctx)) {
        co_await send_and_close(stream, std::move(*answer), ctx.idle_timeout);
      }
      co_return;
    }

    Request req = parser.release();
    if (beast::websocket::is_upgrade(req)) {
      const std::string_view target = req.target();
      if (target.substr(0, target.find('?')) == "/ws") {
        auto admission = co_await ctx.router.admit_upgrade(req, peer);
        if (admission.refused && admission.refused->code != domain::ErrorCode::unauthorized &&
            admission.refused->code != domain::ErrorCode::forbidden) {
          // Over a limit (or the limiter is down): refused before the upgrade, which
          // is the cheap answer, with Retry-After for clients that read it.
          co_await send_and_close(stream, ctx.router.upgrade_refusal(req, admission),
                                  ctx.idle_timeout);
          break;
        }
        stream.expires_never();
        ctx.hub.accept(std::move(stream), std::move(req),
                       ws::WsAdmission{std::move(admission.refused), admission.token_expires_at_ms},
                       std::move(slot));
        co_return;
      }
    }

    ctx.in_flight.fetch_add(1);
    Response res;
    const auto now = ctx.clock.steady_now();
    if (rate.try_take(now)) {
      res = co_await ctx.router.handle(std::move(req), peer);
    } else {
      // Not the router's rate limit (per client, shared by the fleet): one socket's
      // own pace, answered without touching a session. The connection stays usable.
      ctx.metrics.limit_hit(Limit::request_rate);
      res = error_response(req, beast::http::status::too_many_requests, "RATE_LIMIT_EXCEEDED",
                           "too many requests on this connection");
      res.set(beast::http::field::retry_after,
              std::to_string(whole_seconds_at_least_one(rate.retry_after(now))));
    }
    if (ctx.draining.load()) res.keep_alive(false);
    const bool keep_alive = res.keep_alive();
    stream.expires_after(ctx.idle_timeout);  // a client that does not read its answer
    auto [write_ec, written] = co_await beast::http::async_write(stream, res, kUseTuple);
    (void)written;
    ctx.in_flight.fetch_sub(1);
    if (write_ec || !keep_alive) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> refuse_connection(beast::tcp_stream stream, beast::http::status status,
                                        std::string_view code, std::string message) {
  const Request fallback{beast::http::verb::get, "/", 11};
  Response res = error_response(fallback, status, code, message);
  if (status == beast::http::status::too_many_requests) {
    res.set(beast::http::field::retry_after, "1");
  }
  co_await send_and_close(stream, std::move(res), kLingerTime);
}

}  // namespace sk::server::http
