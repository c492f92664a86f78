// The resource caps of the network front (issue 14; docs/design.md, Resource caps),
// each tried against the real server over loopback: exceed it, see the refusal (an
// HTTP status, a WebSocket close code, a dropped socket), and see another client
// still served. Small limits make each test fast. Clients from another address use
// 127.0.0.2 as their source (all of 127/8 is loopback on Linux).
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "support/bodies.h"
#include "support/http_client.h"
#include "support/instance.h"
#include "support/test_server.h"
#include "support/ws_client.h"
#include "testing/eventually.h"

namespace sk::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// One raw TCP connection from a chosen source address, every wait bounded.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port, const char* from = "127.0.0.1",
                     std::optional<int> receive_buffer = std::nullopt)
      : socket_(io_) {
    socket_.open(tcp::v4());
    if (receive_buffer) socket_.set_option(asio::socket_base::receive_buffer_size(*receive_buffer));
    socket_.bind(tcp::endpoint{asio::ip::make_address(from), 0});
    socket_.connect(tcp::endpoint{asio::ip::make_address("127.0.0.1"), port});
  }

  // Sends `text` and reads one response; nullopt if none came within `limit`.
  std::optional<HttpResponse> exchange(const std::string& text,
                                       std::chrono::milliseconds limit = 5s) {
    beast::error_code write_ec;
    bool written = false;
    asio::async_write(socket_, asio::buffer(text), [&](beast::error_code ec, std::size_t) {
      write_ec = ec;
      written = true;
    });
    http::response_parser<http::string_body> parser;
    beast::error_code read_ec;
    bool read = false;
    http::async_read(socket_, buffer_, parser, [&](beast::error_code ec, std::size_t) {
      read_ec = ec;
      read = true;
    });
    io_.restart();
    io_.run_for(limit);
    if (!read || read_ec) {
      if (!read) cancel_and_settle();
      return std::nullopt;
    }
    auto res = parser.release();
    HttpResponse out;
    out.status = res.result_int();
    out.body = res.body();
    for (const auto& f : res) out.headers.set(f.name_string(), f.value());
    return out;
  }

  std::optional<HttpResponse> get(const std::string& target, const std::string& extra = {}) {
    return exchange(fmt::format("GET {} HTTP/1.1\r\nHost: x\r\n{}\r\n", target, extra));
  }

  // Waits for the server to end the connection: eof (its FIN) or an error (a reset);
  // nullopt if the connection is still open after `limit`. Received bytes are dropped.
  std::optional<beast::error_code> end(std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
      auto ec = read_some(10ms);
      if (ec && *ec != asio::error::would_block) return ec;
      if (std::chrono::steady_clock::now() >= until) return std::nullopt;
    }
  }

  // Writes `byte` every `every` until the server ends the connection; how long that
  // took, or nullopt if it did not within `limit`.
  std::optional<std::chrono::milliseconds> trickle(const std::string& bytes,
                                                   std::chrono::milliseconds every,
                                                   std::chrono::milliseconds limit) {
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; std::chrono::steady_clock::now() - start < limit; ++i) {
      beast::error_code ec;
      asio::write(socket_, asio::buffer(&bytes[i % bytes.size()], 1), ec);
      auto closed = ec ? std::optional{ec} : end(every);
      if (closed) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
      }
    }
    return std::nullopt;
  }

  tcp::socket& socket() { return socket_; }
  asio::io_context& io() { return io_; }

 private:
  // One read of whatever is there: would_block if nothing came within `limit`.
  std::optional<beast::error_code> read_some(std::chrono::milliseconds limit) {
    std::optional<beast::error_code> result;
    socket_.async_read_some(asio::buffer(sink_),
                            [&](beast::error_code ec, std::size_t) { result = ec; });
    io_.restart();
    io_.run_for(limit);
    if (!result) {
      cancel_and_settle();
      return asio::error::would_block;
    }
    return *result ? result : std::nullopt;
  }

  void cancel_and_settle() {
    beast::error_code ignored;
    socket_.cancel(ignored);
    io_.restart();
    io_.run();
  }

  asio::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  std::array<char, 4096> sink_{};
};

std::string error_code_of(const HttpResponse& r) {
  try {
    return r.json()["error"]["code"].str();
  } catch (const std::exception&) {
    return "(no error code in: " + r.body + ")";
  }
}

// The value of a series in /metrics text (the whole line's name and labels), or -1.
double metric(TestServer& s, const std::string& series) {
  const auto text = s.metrics().serialize();
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

bool served(std::uint16_t port, const char* from = "127.0.0.1") {
  RawClient c(port, from);
  const auto r = c.get("/health");
  return r && r->status == 200;
}

std::string ws_target() { return "/ws?sessionId=" + session_id(0x0c4f); }

server::ServerOptions options_with(const std::function<void(server::ServerOptions&)>& set) {
  server::ServerOptions o;
  set(o);
  return o;
}

// ---------------------------------------------------------------------------
// Connections at accept.

TEST(ResourceCapsTest, OverTheTotalCapANewConnectionGets503AndTheOthersAreServed) {
  TestServer s(options_with([](auto& o) { o.connections = {3, 0}; }));
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawClient>(s.port()));
    const auto r = held.back()->get("/health");
    ASSERT_TRUE(r && r->status == 200) << i;
  }
  RawClient refused(s.port(), "127.0.0.2");
  const auto r = refused.get("/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503u);
  EXPECT_EQ(error_code_of(*r), "UNAVAILABLE");
  EXPECT_EQ(r->header(http::field::connection), "close");
  // A clean close (FIN), not a reset: the client read its answer.
  const auto ended = refused.end(5s);
  ASSERT_TRUE(ended);
  EXPECT_EQ(*ended, asio::error::eof) << ended->message();
  EXPECT_EQ(metric(s, R"(synckairos_connections_rejected_total{reason="total"})"), 1);
  EXPECT_EQ(metric(s, "synckairos_connections_open"), 3);

  // The connections already open are still served; a closed one frees its place.
  for (auto& c : held) {
    const auto again = c->get("/health");
    EXPECT_TRUE(again && again->status == 200);
  }
  held.pop_back();
  EXPECT_TRUE(eventually([&] { return served(s.port(), "127.0.0.2"); }, 5s, 20ms));
}

TEST(ResourceCapsTest, OverThePerAddressCapANewConnectionGets429AndOtherAddressesAreServed) {
  TestServer s(options_with([](auto& o) { o.connections = {100, 2}; }));
  auto first = std::make_unique<RawClient>(s.port());
  RawClient second(s.port());
  ASSERT_EQ(first->get("/health")->status, 200u);
  ASSERT_EQ(second.get("/health")->status, 200u);

  RawClient third(s.port());
  const auto r = third.get("/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429u);
  EXPECT_EQ(error_code_of(*r), "RATE_LIMIT_EXCEEDED");
  EXPECT_EQ(r->header(http::field::retry_after), "1");
  EXPECT_EQ(r->header(http::field::connection), "close");
  EXPECT_TRUE(served(s.port(), "127.0.0.2"));
  EXPECT_EQ(metric(s, R"(synckairos_connections_rejected_total{reason="per_ip"})"), 1);

  // A WebSocket holds its connection's place for its whole life.
  first.reset();
  std::unique_ptr<WsClient> ws;
  ASSERT_TRUE(eventually(
      [&] {
        try {
          ws = std::make_unique<WsClient>(s.port(), ws_target());
          return true;
        } catch (const std::exception&) {
          return false;  // the first client's place is not free yet
        }
      },
      5s, 20ms));
  ws->next_of_type("CONNECTED");
  EXPECT_FALSE(served(s.port()));
  ws->send(R"({"type":"PING"})");
  EXPECT_NO_THROW(ws->next_of_type("PONG"));
  ws.reset();
  EXPECT_TRUE(eventually([&] { return served(s.port()); }, 5s, 20ms));
}

// ---------------------------------------------------------------------------
// HTTP requests.

TEST(ResourceCapsTest, TooManyOrTooLargeHeaderFieldsGet431AndClose) {
  TestServer s(options_with([](auto& o) {
    o.http.max_header_fields = 10;
    o.http.max_header_bytes = 4096;
  }));
  struct Case {
    const char* name;
    std::string extra;
    const char* limit;
  };
  std::string many;
  for (int i = 0; i < 20; ++i) many += fmt::format("X-Fill-{}: {}\r\n", i, i);
  const Case cases[] = {
      {"20 fields", many, "header_fields"},
      {"a 5000-byte field", "X-Big: " + std::string(5000, 'a') + "\r\n", "header_bytes"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    RawClient client(s.port());
    const auto r = client.get("/health", c.extra);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 431u);
    EXPECT_EQ(error_code_of(*r), "VALIDATION_ERROR");
    EXPECT_TRUE(client.end(5s));
    EXPECT_EQ(metric(s, fmt::format(R"(synckairos_limits_exceeded_total{{limit="{}"}})", c.limit)),
              1);
    EXPECT_TRUE(served(s.port()));
  }
  // Within both limits: served.
  RawClient fine(s.port());
  const auto r = fine.get("/health", "X-A: 1\r\nX-B: 2\r\n");
  EXPECT_TRUE(r && r->status == 200);
}

TEST(ResourceCapsTest, AClientTricklingItsRequestIsDroppedAtTheRequestDeadlineNotTheIdleOne) {
  // The idle timeout (30 s) would never end a connection that sends a byte every
  // 100 ms; the header and body deadlines (500 ms) do.
  TestServer s(options_with([](auto& o) {
    o.http.header_timeout = 500ms;
    o.http.body_timeout = 500ms;
  }));
  struct Case {
    const char* name;
    std::string start;    // sent at once
    std::string trickle;  // then one byte every 100 ms
  };
  const Case cases[] = {
      {"header", "GET /health HTTP/1.1\r\n", "X-Slow: aaaaaaaa\r\n"},
      {"body",
       "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       "Content-Length: 100000\r\n\r\n",
       "{\"a\":1}   "},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    RawClient slow(s.port());
    asio::write(slow.socket(), asio::buffer(c.start));
    const auto dropped_after = slow.trickle(c.trickle, 100ms, 15s);
    ASSERT_TRUE(dropped_after) << "still connected after 15 s";
    EXPECT_LT(*dropped_after, 10s);  // far below the 30 s idle timeout
    EXPECT_TRUE(served(s.port()));
  }
  EXPECT_EQ(metric(s, R"(synckairos_limits_exceeded_total{limit="request_timeout"})"), 2);
}

TEST(ResourceCapsTest, RequestsOverTheConnectionsRateGet429AndTheConnectionKeepsServing) {
  // 1 request per second after a burst of 3: ten requests sent back to back can only
  // all pass if sending them takes over 7 s.
  TestServer s(options_with([](auto& o) { o.http.requests = {1, 3}; }));
  RawClient client(s.port());
  std::vector<unsigned> statuses;
  std::string retry_after;
  for (int i = 0; i < 10; ++i) {
    const auto r = client.get("/health");
    ASSERT_TRUE(r) << "request " << i << " got no answer";
    statuses.push_back(r->status);
    if (r->status == 429) {
      EXPECT_EQ(error_code_of(*r), "RATE_LIMIT_EXCEEDED");
      retry_after = r->header(http::field::retry_after);
    }
  }
  EXPECT_EQ(statuses[0], 200u);
  EXPECT_EQ(statuses[1], 200u);
  EXPECT_EQ(statuses[2], 200u);
  EXPECT_NE(std::count(statuses.begin(), statuses.end(), 429u), 0);
  EXPECT_EQ(retry_after, "1");
  EXPECT_GE(metric(s, R"(synckairos_limits_exceeded_total{limit="request_rate"})"), 1);
  // Another connection has its own rate.
  EXPECT_TRUE(served(s.port()));
  // And this one is served again once it has waited.
  EXPECT_TRUE(eventually(
      [&] {
        const auto r = client.get("/health");
        return r && r->status == 200;
      },
      5s, 200ms));
}

// ---------------------------------------------------------------------------
// WebSocket.

// A raw WebSocket client: the upgrade by hand, then masked frames written and
// server frames parsed from the bytes, so that a test controls exactly what goes
// into one TCP write and sees exactly how the connection ends.
class RawWebSocket {
 public:
  explicit RawWebSocket(std::uint16_t port, std::optional<int> receive_buffer = std::nullopt)
      : raw_(port, "127.0.0.1", receive_buffer) {
    const std::string upgrade = fmt::format(
        "GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        ws_target());
    asio::write(raw_.socket(), asio::buffer(upgrade));
    // The 101 response ends with an empty line; frames may follow in the same read.
    for (;;) {
      std::array<char, 1024> buf{};
      const auto n = raw_.socket().read_some(asio::buffer(buf));
      in_.append(buf.data(), n);
      const auto end = in_.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      if (in_.rfind("HTTP/1.1 101", 0) != 0) throw std::runtime_error("no upgrade: " + in_);
      in_.erase(0, end + 4);
      break;
    }
  }

  static std::string masked_frame(std::uint8_t opcode, std::string_view payload) {
    std::string f;
    f += static_cast<char>(0x80 | opcode);
    if (payload.size() < 126) {
      f += static_cast<char>(0x80 | payload.size());
    } else {
      f += static_cast<char>(0x80 | 126);
      f += static_cast<char>((payload.size() >> 8) & 0xff);
      f += static_cast<char>(payload.size() & 0xff);
    }
    const std::array<char, 4> key{'\x12', '\x34', '\x56', '\x78'};
    f.append(key.data(), key.size());
    for (std::size_t i = 0; i < payload.size(); ++i)
      f += static_cast<char>(payload[i] ^ key[i % 4]);
    return f;
  }

  struct Ending {
    int texts = 0;                       // text frames received
    std::optional<std::uint16_t> close;  // the close frame's code
    std::string reason;
    beast::error_code end;  // how the socket ended (eof: FIN)
    bool ended = false;
  };

  // Writes `bytes` in one write while reading; answers a close frame with one, and
  // reads until the socket ends or `limit` passes.
  Ending flood_and_read(const std::string& bytes, std::chrono::milliseconds limit) {
    Ending e;
    auto& socket = raw_.socket();
    bool writing = true;
    bool answer_close = false;
    std::string close_answer;
    asio::async_write(socket, asio::buffer(bytes), [&](beast::error_code, std::size_t) {
      writing = false;
      if (answer_close) asio::async_write(socket, asio::buffer(close_answer), [](auto, auto) {});
    });
    std::array<char, 16384> buf{};
    std::function<void()> read_more = [&] {
      socket.async_read_some(asio::buffer(buf), [&](beast::error_code ec, std::size_t n) {
        in_.append(buf.data(), n);
        parse(e);
        if (e.close && !answer_close) {
          answer_close = true;
          close_answer = masked_frame(0x8, std::string("\x03\xe8", 2));
          if (!writing) asio::async_write(socket, asio::buffer(close_answer), [](auto, auto) {});
        }
        if (ec) {
          e.end = ec;
          e.ended = true;
          return;
        }
        read_more();
      });
    };
    read_more();
    raw_.io().restart();
    raw_.io().run_for(limit);
    return e;
  }

  tcp::socket& socket() { return raw_.socket(); }

 private:
  // Consumes the complete (unmasked, server) frames at the front of in_.
  void parse(Ending& e) {
    for (;;) {
      if (in_.size() < 2) return;
      const auto op = static_cast<std::uint8_t>(in_[0]) & 0x0f;
      std::size_t len = static_cast<std::uint8_t>(in_[1]) & 0x7f;
      std::size_t header = 2;
      if (len == 126) {
        if (in_.size() < 4) return;
        len = (std::size_t{static_cast<std::uint8_t>(in_[2])} << 8) |
              std::size_t{static_cast<std::uint8_t>(in_[3])};
        header = 4;
      } else if (len == 127) {
        if (in_.size() < 10) return;
        len = 0;
        for (std::size_t i = 2; i < 10; ++i) {
          len = (len << 8) | std::size_t{static_cast<std::uint8_t>(in_[i])};
        }
        header = 10;
      }
      if (in_.size() < header + len) return;
      const std::string payload = in_.substr(header, len);
      in_.erase(0, header + len);
      if (op == 0x1) ++e.texts;
      if (op == 0x8 && payload.size() >= 2) {
        e.close = static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                             static_cast<std::uint8_t>(payload[1]));
        e.reason = payload.substr(2);
      }
    }
  }

  RawClient raw_;
  std::string in_;
};

TEST(ResourceCapsTest, AFloodOfPingsInOneWriteEndsWithClose1008NotAReset) {
  // The default rate: 20 messages per second, bursts of 40. (A long heartbeat: the
  // other client below does not read while it waits.)
  TestServer s(options_with([](auto& o) { o.hub.heartbeat = 60s; }));
  auto flooder_ptr = std::make_unique<RawWebSocket>(s.port());
  auto& flooder = *flooder_ptr;
  std::string flood;
  for (int i = 0; i < 10'000; ++i) {
    flood += RawWebSocket::masked_frame(
        0x1, fmt::format(R"({{"type":"PING","client_timestamp":{}}})", i));
  }
  const auto e = flooder.flood_and_read(flood, 30s);
  ASSERT_TRUE(e.ended) << "the server did not end the connection";
  EXPECT_EQ(e.end, asio::error::eof) << "not a clean close: " << e.end.message();
  ASSERT_TRUE(e.close) << "no close frame";
  EXPECT_EQ(*e.close, 1008);
  EXPECT_EQ(e.reason, "message rate exceeded");
  // CONNECTED, ERROR (no such session) and the PONGs of the burst, not 10,000 (nor
  // the few hundred that used to overflow the queue).
  EXPECT_LE(e.texts, 2 + 40 + 100);
  EXPECT_EQ(metric(s, R"(synckairos_limits_exceeded_total{limit="ws_message_rate"})"), 1);

  WsClient other(s.port(), ws_target());
  other.next_of_type("CONNECTED");
  other.send(R"({"type":"PING"})");
  EXPECT_NO_THROW(other.next_of_type("PONG"));
  // The server has sent its FIN and waits for the flooder's (a client that never
  // closes is closed by the close timeout, the WebSocket handshake timeout of 10 s).
  flooder_ptr.reset();
  EXPECT_TRUE(eventually([&] { return s.server().hub().connection_count() == 1; }, 5s));
}

TEST(ResourceCapsTest, AMessageOverTheSizeLimitClosesWith1009) {
  TestServer s(options_with([](auto& o) { o.hub.max_message_bytes = 1024; }));
  WsClient big(s.port(), ws_target());
  big.next_of_type("CONNECTED");
  big.send(R"({"type":"PING","pad":")" + std::string(2000, 'a') + "\"}");
  for (int i = 0; i < 10 && big.next(5s); ++i) {
  }
  EXPECT_EQ(big.close_reason().code, 1009);
  // Beast sends the 1009 close before the server's read completes with the error that
  // counts it, so the count may trail the close by a moment.
  EXPECT_TRUE(eventually(
      [&] {
        return metric(s, R"(synckairos_limits_exceeded_total{limit="ws_message_bytes"})") == 1;
      },
      5s));

  WsClient other(s.port(), ws_target());
  other.next_of_type("CONNECTED");
  other.send(R"({"type":"PING","pad":")" + std::string(900, 'a') + "\"}");
  EXPECT_NO_THROW(other.next_of_type("PONG"));
}

TEST(ResourceCapsTest, AWatcherThatNeverReadsIsDroppedWhileOthersGetEveryUpdate) {
  TestServer s(options_with([](auto& o) {
    o.hub.max_queued_messages = 16;
    o.hub.max_queued_bytes = 64 * 1024;
    o.http.requests = {};  // this test switches as fast as it can
  }));
  // 100 participants: each update is ~10 kB, so the kernel's buffers fill after a
  // few hundred at most.
  std::string participants;
  for (int i = 0; i < 100; ++i) {
    if (i > 0) participants += ',';
    participants += fmt::format(R"({{"participant_id":"11111111-1111-4111-8111-{:012x}"}})", i);
  }
  const auto id = session_id(0x0c4f);
  HttpClient api(s.port());
  ASSERT_EQ(
      api.post("/v1/sessions", fmt::format(R"({{"session_id":"{}","sync_mode":"per_participant",)"
                                           R"("total_time_ms":600000,"participants":[{}]}})",
                                           id, participants))
          .status,
      201u);
  ASSERT_EQ(api.post("/v1/sessions/" + id + "/start").status, 200u);

  RawWebSocket never_reads(s.port(), /*receive_buffer=*/4096);
  WsClient reader(s.port(), ws_target());
  reader.next_of_type("STATE_SYNC");
  ASSERT_TRUE(eventually([&] { return s.server().hub().connection_count() == 2; }, 5s));

  const std::string drops = "synckairos_websocket_slow_client_drops_total";
  int switches = 0;
  for (; switches < 3000 && metric(s, drops) < 1; ++switches) {
    ASSERT_EQ(api.post("/v1/sessions/" + id + "/switch").status, 200u);
    reader.next_of_type("STATE_UPDATE");
  }
  EXPECT_EQ(metric(s, drops), 1) << "never dropped after " << switches << " updates";
  EXPECT_TRUE(eventually([&] { return s.server().hub().connection_count() == 1; }, 5s));
  // The reader still gets every update.
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(api.post("/v1/sessions/" + id + "/switch").status, 200u);
    EXPECT_NO_THROW(reader.next_of_type("STATE_UPDATE"));
  }
}

// ---------------------------------------------------------------------------
// The flags reach the caps (the binary, as deployed).

TEST(ResourceCapsTest, TheBinarysFlagsSetTheCaps) {
  Instance i(
      "caps", std::vector<std::string>{},
      {"--max-connections-per-ip", "1", "--ws-messages-per-s", "1", "--ws-message-burst", "2"});
  {
    RawClient held(i.port());
    ASSERT_EQ(held.get("/health")->status, 200u);
    RawClient refused(i.port());
    const auto r = refused.get("/health");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 429u);
    RawClient elsewhere(i.port(), "127.0.0.2");
    EXPECT_EQ(elsewhere.get("/health")->status, 200u);
  }
  std::unique_ptr<WsClient> ws;
  ASSERT_TRUE(eventually(
      [&] {
        try {
          ws = std::make_unique<WsClient>(i.port(), ws_target());
          return true;
        } catch (const std::exception&) {
          return false;
        }
      },
      5s, 20ms));
  for (int n = 0; n < 5; ++n) ws->send(R"({"type":"PING"})");
  for (int n = 0; n < 20 && ws->next(5s); ++n) {
  }
  EXPECT_EQ(ws->close_reason().code, 1008);
  EXPECT_EQ(std::string(ws->close_reason().reason.data(), ws->close_reason().reason.size()),
            "message rate exceeded");
  EXPECT_EQ(i.stop().value_or(-1), 0) << i.log_tail();
}

}  // namespace
}  // namespace sk::testing
