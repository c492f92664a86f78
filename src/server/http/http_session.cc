#include "server/http/http_session.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

namespace sk::server::http {

namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kHeaderLimit = 16 * 1024;

asio::awaitable<void> send_and_close(beast::tcp_stream& stream, Response res) {
  res.keep_alive(false);
  co_await beast::http::async_write(stream, res, kUseTuple);
}

}  // namespace

asio::awaitable<void> run_http_session(beast::tcp_stream stream, SessionContext ctx) {
  beast::flat_buffer buffer;
  for (;;) {
    beast::http::request_parser<beast::http::string_body> parser;
    parser.body_limit(ctx.max_body_bytes);
    parser.header_limit(kHeaderLimit);
    stream.expires_after(ctx.idle_timeout);
    auto [ec, bytes] = co_await beast::http::async_read(stream, buffer, parser, kUseTuple);
    (void)bytes;
    if (ec) {
      const Request fallback{beast::http::verb::get, "/", 11};
      if (ec == beast::http::error::body_limit) {
        co_await send_and_close(
            stream, error_response(fallback, domain::Error::payload_too_large(ctx.max_body_bytes)));
      } else if (ec != beast::http::error::end_of_stream && ec != beast::error::timeout &&
                 ec != asio::error::connection_reset && ec != asio::error::eof &&
                 ec != asio::error::operation_aborted && parser.got_some()) {
        co_await send_and_close(
            stream, error_response(fallback, beast::http::status::bad_request, "VALIDATION_ERROR",
                                   "malformed HTTP request"));
      }
      break;
    }

    Request req = parser.release();
    beast::error_code peer_ec;
    const auto peer = stream.socket().remote_endpoint(peer_ec).address();
    if (beast::websocket::is_upgrade(req)) {
      const std::string_view target = req.target();
      if (target.substr(0, target.find('?')) == "/ws") {
        auto admission = co_await ctx.router.admit_upgrade(req, peer);
        if (admission.refused && admission.refused->code != domain::ErrorCode::unauthorized &&
            admission.refused->code != domain::ErrorCode::forbidden) {
          // Over a limit (or the limiter is down): refused before the upgrade, which
          // is the cheap answer, with Retry-After for clients that read it.
          co_await send_and_close(stream, ctx.router.upgrade_refusal(req, admission));
          break;
        }
        stream.expires_never();
        ctx.hub.accept(std::move(stream), std::move(req),
                       ws::WsAdmission{std::move(admission.refused),
                                       admission.token_expires_at_ms});
        co_return;
      }
    }

    ctx.in_flight.fetch_add(1);
    Response res = co_await ctx.router.handle(std::move(req), peer);
    if (ctx.draining.load()) res.keep_alive(false);
    const bool keep_alive = res.keep_alive();
    auto [write_ec, written] = co_await beast::http::async_write(stream, res, kUseTuple);
    (void)written;
    ctx.in_flight.fetch_sub(1);
    if (write_ec || !keep_alive) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace sk::server::http
