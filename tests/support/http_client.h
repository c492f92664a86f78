// A real HTTP/1.1 client over loopback (Boost.Beast, blocking), with keep-alive:
// one object is one TCP connection. For tests only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "support/json.h"

namespace sk::testing {

struct HttpResponse {
  unsigned status = 0;
  std::string body;
  boost::beast::http::fields headers;

  Json json() const { return Json::parse(body); }
  std::string header(boost::beast::http::field f) const { return std::string{headers[f]}; }
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port) : stream_(io_) {
    stream_.connect(
        boost::asio::ip::tcp::endpoint{boost::asio::ip::make_address("127.0.0.1"), port});
  }

  // Sent with every request from now on (e.g. Authorization).
  void set_header(boost::beast::http::field name, const std::string& value) {
    extra_headers_.set(name, value);
  }

  HttpResponse request(boost::beast::http::verb method, const std::string& target,
                       const std::string& body = {},
                       const std::string& content_type = "application/json") {
    namespace http = boost::beast::http;
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& f : extra_headers_) req.set(f.name_string(), f.value());
    req.keep_alive(true);
    if (!body.empty()) {
      req.set(http::field::content_type, content_type);
      req.body() = body;
    }
    req.prepare_payload();
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    if (timeout_) {
      exchange_within(req, buffer, parser);
    } else {
      http::write(stream_, req);
      http::read(stream_, buffer, parser);
    }
    auto res = parser.release();
    HttpResponse out;
    out.status = res.result_int();
    out.body = std::move(res.body());
    for (const auto& f : res) out.headers.set(f.name_string(), f.value());
    return out;
  }

  HttpResponse get(const std::string& target) {
    return request(boost::beast::http::verb::get, target);
  }
  HttpResponse post(const std::string& target, const std::string& body = {}) {
    return request(boost::beast::http::verb::post, target, body);
  }
  HttpResponse del(const std::string& target) {
    return request(boost::beast::http::verb::delete_, target);
  }

  boost::beast::tcp_stream& stream() { return stream_; }

  // From now on a request that is not answered within `limit` throws
  // (boost::system::system_error, beast::error::timeout) instead of waiting forever:
  // for tests that must prove the server answers quickly.
  void set_timeout(std::chrono::milliseconds limit) { timeout_ = limit; }

 private:
  template <typename Request, typename Parser>
  void exchange_within(Request& req, boost::beast::flat_buffer& buffer, Parser& parser) {
    namespace http = boost::beast::http;
    boost::beast::error_code result;
    stream_.expires_after(*timeout_);  // one budget for the write and the read
    http::async_write(stream_, req, [&](boost::beast::error_code ec, std::size_t) {
      if (ec) {
        result = ec;
        return;
      }
      http::async_read(stream_, buffer, parser,
                       [&](boost::beast::error_code read_ec, std::size_t) { result = read_ec; });
    });
    io_.restart();
    io_.run();
    stream_.expires_never();
    if (result) throw boost::system::system_error(result);
  }

  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_;
  std::optional<std::chrono::milliseconds> timeout_;
  boost::beast::http::fields extra_headers_;
};

}  // namespace sk::testing
