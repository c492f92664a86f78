// A real WebSocket client over loopback (Boost.Beast). Reads with a time limit so a
// missing message fails the test instead of hanging it. For tests only.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "support/json.h"

namespace sk::testing {

class WsClient {
 public:
  WsClient(std::uint16_t port, const std::string& target) : ws_(io_) {
    boost::beast::get_lowest_layer(ws_).connect(
        boost::asio::ip::tcp::endpoint{boost::asio::ip::make_address("127.0.0.1"), port});
    ws_.handshake("127.0.0.1", target);
  }

  // The next text message, or nullopt if the connection closed or `timeout` passed.
  // A time-out leaves the read pending (the next call resumes it) rather than
  // cancelling it: Beast may fail a stream whose read was cancelled, and a test that
  // checks "nothing more arrives" must still be able to read what comes later.
  std::optional<std::string> next(std::chrono::milliseconds timeout = std::chrono::seconds{5}) {
    timed_out_ = false;
    if (!reading_) {
      reading_ = true;
      ws_.async_read(buffer_, [this](boost::beast::error_code ec, std::size_t) {
        reading_ = false;
        if (!ec)
          ready_ = boost::beast::buffers_to_string(buffer_.data());
        else
          last_error_ = ec;
        buffer_.consume(buffer_.size());
      });
    }
    io_.restart();
    io_.run_for(timeout);
    if (reading_) {
      timed_out_ = true;
      return std::nullopt;
    }
    return std::exchange(ready_, std::nullopt);
  }

  Json next_json(std::chrono::milliseconds timeout = std::chrono::seconds{5}) {
    auto m = next(timeout);
    if (!m) throw std::runtime_error("no WebSocket message within the time limit");
    return Json::parse(*m);
  }

  // The next message of `type`, skipping others (e.g. the initial CONNECTED).
  Json next_of_type(const std::string& type,
                    std::chrono::milliseconds timeout = std::chrono::seconds{5}) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      if (left.count() <= 0) throw std::runtime_error("no " + type + " message in time");
      auto j = next_json(left);
      if (j["type"].str() == type) return j;
    }
  }

  void send(const std::string& text) { ws_.write(boost::asio::buffer(text)); }

  boost::beast::websocket::close_reason close_reason() const { return ws_.reason(); }
  boost::beast::error_code last_error() const { return last_error_; }
  bool timed_out() const { return timed_out_; }  // the last next() did

 private:
  boost::asio::io_context io_;
  // Declared before the stream, so a read still pending at destruction never
  // outlives the buffer it reads into.
  boost::beast::flat_buffer buffer_;  // of the pending read
  bool reading_ = false;              // a read is pending (possibly from an earlier call)
  std::optional<std::string> ready_;  // what the last completed read received
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::error_code last_error_;
  bool timed_out_ = false;
};

}  // namespace sk::testing
