// The WebSocket hub over real loopback sockets: a MemoryStore, a SessionService, the
// hub behind a tiny HTTP acceptor, and Beast clients. Also the pure decoding of client
// input (client_input.h), table-driven.
//
// Every wait is for a message or a condition with a generous deadline (the suite runs
// under ASan on a busy 2-core machine); the only timed assertions are the heartbeat's,
// whose bound is several times what it needs.
#include "server/ws/hub.h"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "domain/clock.h"
#include "server/metrics.h"
#include "server/session_service.h"
#include "server/ws/client_input.h"
#include "store/memory/memory_store.h"

namespace sk::server::ws {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// How long any single expected event may take before the test fails.
constexpr auto kWait = 10s;

domain::Uuid make_uuid(std::uint32_t n, std::uint8_t kind = 0x5e) {
  std::array<std::uint8_t, 16> b{};
  b[0] = kind;
  b[12] = static_cast<std::uint8_t>(n >> 24);
  b[13] = static_cast<std::uint8_t>(n >> 16);
  b[14] = static_cast<std::uint8_t>(n >> 8);
  b[15] = static_cast<std::uint8_t>(n);
  return domain::Uuid{b};
}

std::string ws_target(const domain::Uuid& id) { return "/ws?sessionId=" + id.to_string(); }

// ---- reading server frames ------------------------------------------------------

struct Json {
  explicit Json(const std::string& text) {
    ok = parser.parse(text).get(root) == simdjson::SUCCESS;
    EXPECT_TRUE(ok) << "not JSON: " << text;
  }
  std::string str(std::string_view key) const {
    std::string_view v;
    if (!ok || root[key].get_string().get(v) != simdjson::SUCCESS) return {};
    return std::string(v);
  }
  std::optional<std::int64_t> integer(std::string_view key) const {
    std::int64_t v = 0;
    if (!ok || root[key].get_int64().get(v) != simdjson::SUCCESS) return std::nullopt;
    return v;
  }
  std::int64_t state_version() const {
    std::int64_t v = -1;
    if (!ok || root["state"]["version"].get_int64().get(v) != simdjson::SUCCESS) return -1;
    return v;
  }

  simdjson::dom::parser parser;
  simdjson::dom::element root;
  bool ok = false;
};

// A WebSocket client on its own io_context, driven synchronously by the test thread.
// Every operation has a deadline (the TCP stream's), so a missing frame fails the test
// instead of hanging it.
class Client {
 public:
  struct Frame {
    beast::error_code ec;
    std::string text;
    bool binary = false;
  };

  // `receive_buffer`: a small SO_RCVBUF, set before connecting, for a client whose
  // kernel buffer fills quickly when it does not read.
  Client(std::uint16_t port, const std::string& target, std::optional<int> receive_buffer = {})
      : ws_(io_) {
    auto& tcp_layer = beast::get_lowest_layer(ws_);
    tcp_layer.socket().open(tcp::v4());
    if (receive_buffer) {
      tcp_layer.socket().set_option(asio::socket_base::receive_buffer_size(*receive_buffer));
    }
    tcp_layer.expires_after(kWait);
    run([&](auto done) {
      tcp_layer.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), port),
                              [done](beast::error_code ec) { done(ec); });
    });
    if (!ec_) {
      tcp_layer.expires_after(kWait);
      run([&](auto done) { ws_.async_handshake("127.0.0.1", target, done); });
    }
    EXPECT_FALSE(ec_) << "connect/handshake: " << ec_.message();
  }

  // The next frame, or the error that ended the stream (websocket::error::closed
  // after a close frame; reason() then holds its code and reason).
  Frame read(std::chrono::steady_clock::duration timeout = kWait) {
    beast::get_lowest_layer(ws_).expires_after(timeout);
    beast::flat_buffer buffer;
    std::size_t n = 0;
    run([&](auto done) {
      ws_.async_read(buffer, [done, &n](beast::error_code ec, std::size_t bytes) {
        n = bytes;
        done(ec);
      });
    });
    Frame f{ec_, beast::buffers_to_string(buffer.data()), !ws_.got_text()};
    (void)n;
    return f;
  }

  // The next frame, which must be a text frame of `type`.
  std::string expect(std::string_view type) {
    auto f = read();
    EXPECT_FALSE(f.ec) << "waiting for " << type << ": " << f.ec.message();
    EXPECT_EQ(Json(f.text).str("type"), type) << f.text;
    return f.text;
  }

  // Reads until the stream ends; returns the close reason (code 0 if none arrived).
  websocket::close_reason expect_close() {
    for (int i = 0; i < 10'000; ++i) {
      auto f = read();
      if (f.ec) {
        EXPECT_EQ(f.ec, websocket::error::closed) << f.ec.message();
        return ws_.reason();
      }
    }
    ADD_FAILURE() << "the server never closed";
    return {};
  }

  websocket::close_reason reason() const { return ws_.reason(); }

  beast::error_code send(std::string_view text, bool binary = false) {
    ws_.binary(binary);
    beast::get_lowest_layer(ws_).expires_after(kWait);
    run([&](auto done) {
      ws_.async_write(asio::buffer(text.data(), text.size()),
                      [done](beast::error_code ec, std::size_t) { done(ec); });
    });
    return ec_;
  }

 private:
  template <typename Start>
  void run(Start start) {
    ec_ = {};
    bool finished = false;
    start([this, &finished](beast::error_code ec) {
      ec_ = ec;
      finished = true;
    });
    io_.restart();
    io_.run();
    if (!finished) ec_ = asio::error::timed_out;
  }

  asio::io_context io_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::error_code ec_;
};

bool wait_until(const std::function<bool()>& condition, std::chrono::steady_clock::duration limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// ---- the server side ------------------------------------------------------------

// A store that can hold the hub's first read of a session, before or after it reads,
// so the race between that read and the store's fan-out is played out on purpose.
// Everything else is forwarded.
class GatedStore final : public store::SessionStore {
 public:
  enum class Gate { none, before_read, after_read };

  explicit GatedStore(store::SessionStore& inner) : inner_(inner) {}

  std::atomic<Gate> gate{Gate::none};
  std::atomic<int> held{0};  // reads waiting at the gate
  std::atomic<bool> released{false};

  asio::awaitable<store::Result<store::Session>> get(store::Uuid id) override {
    const Gate g = gate;
    if (g == Gate::before_read) co_await hold();
    auto r = co_await inner_.get(id);
    if (g == Gate::after_read) co_await hold();
    co_return r;
  }
  asio::awaitable<store::Status> create(store::Write w) override {
    co_return co_await inner_.create(std::move(w));
  }
  asio::awaitable<store::Status> update(store::Write w,
                                        std::optional<std::int64_t> expected) override {
    co_return co_await inner_.update(std::move(w), expected);
  }
  asio::awaitable<store::Result<bool>> remove(store::Uuid id, domain::Event e,
                                              std::string m) override {
    co_return co_await inner_.remove(id, std::move(e), std::move(m));
  }
  asio::awaitable<store::Status> broadcast(store::Uuid id, std::string m) override {
    co_return co_await inner_.broadcast(id, std::move(m));
  }
  store::Subscription subscribe(store::MessageHandler h) override {
    return inner_.subscribe(std::move(h));
  }
  // With `hold_watch`, a watcher's registration waits at the gate too.
  std::atomic<bool> hold_watch{false};
  asio::awaitable<store::Subscription> watch(store::Uuid id) override {
    if (hold_watch) co_await hold();
    co_return co_await inner_.watch(id);
  }
  void set_deadline_handler(store::DeadlineHandler h) override {
    inner_.set_deadline_handler(std::move(h));
  }
  asio::awaitable<bool> healthy() override { co_return co_await inner_.healthy(); }
  asio::awaitable<store::Result<std::int64_t>> count() override {
    co_return co_await inner_.count();
  }
  void close() override {}

 private:
  // Polls rather than waits on a shared timer: the read runs on a connection's strand
  // and the test releases it from its own thread.
  asio::awaitable<void> hold() {
    gate = Gate::none;  // only the first read is held
    ++held;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!released) {
      timer.expires_after(1ms);
      co_await timer.async_wait(kTuple);
    }
  }

  store::SessionStore& inner_;
};

class HubTest : public ::testing::Test {
 protected:
  void start(HubOptions options = {}, store::MemoryStoreOptions store_options = {}) {
    store_ = std::make_unique<store::MemoryStore>(io_.get_executor(), clock_, store_options);
    service_ = std::make_unique<SessionService>(*store_, clock_, &metrics_);
    store_->set_deadline_handler([this](const domain::Uuid& id) {
      asio::co_spawn(io_, service_->fire_deadline(id), asio::detached);
    });
    // The hub reads through the gated store; the test's own writes go straight in.
    gated_ = std::make_unique<GatedStore>(*store_);
    hub_service_ = std::make_unique<SessionService>(*gated_, clock_, &metrics_);
    hub_ = std::make_unique<Hub>(*hub_service_, &metrics_, options);
    acceptor_.open(tcp::v4());
    acceptor_.bind(tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  void TearDown() override {
    if (hub_) {
      hub_->shutdown();
      EXPECT_TRUE(wait_until([&] { return hub_->connection_count() == 0; }, kWait))
          << hub_->connection_count() << " connections left";
    }
    if (store_) store_->close();
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
    beast::error_code ignored;
    acceptor_.close(ignored);
    hub_.reset();
    hub_service_.reset();
    gated_.reset();
    service_.reset();
    store_.reset();
  }

  // Hands each upgrade to the hub as the HTTP layer would. Every other socket is put
  // on a strand first, so both of the hub's paths (stream already on a strand, or
  // moved onto one) are exercised. A target with "slow=1" gets a tiny send buffer, so
  // a client that does not read blocks the server's writes within a few frames.
  asio::awaitable<void> accept_loop() {
    for (int n = 0;; ++n) {
      // A named local, not a conditional temporary inside the co_await expression:
      // GCC 12 destroys such temporaries twice in coroutines.
      asio::any_io_executor executor = io_.get_executor();
      if (n % 2 == 0) executor = asio::make_strand(io_);
      auto [ec, socket] = co_await acceptor_.async_accept(executor, kTuple);
      if (ec) co_return;
      asio::co_spawn(socket.get_executor(), serve(beast::tcp_stream(std::move(socket))),
                     asio::detached);
    }
  }

  asio::awaitable<void> serve(beast::tcp_stream stream) {
    beast::flat_buffer buffer;
    beast::http::request<beast::http::string_body> request;
    stream.expires_after(kWait);
    auto [ec, n] = co_await beast::http::async_read(stream, buffer, request, kTuple);
    (void)n;
    if (ec) co_return;
    stream.expires_never();
    if (std::string_view(request.target()).find("slow=1") != std::string_view::npos) {
      stream.socket().set_option(asio::socket_base::send_buffer_size(4096));
    }
    hub_->accept(std::move(stream), std::move(request));
  }

  // Runs `a` on the server's io_context and waits for its result.
  template <typename T>
  T run(asio::awaitable<T> a) {
    std::promise<T> promise;
    auto future = promise.get_future();
    asio::co_spawn(
        io_,
        [&promise, a = std::move(a)]() mutable -> asio::awaitable<void> {
          promise.set_value(co_await std::move(a));
        },
        [&promise](const std::exception_ptr& e) {
          if (e) promise.set_exception(e);
        });
    if (future.wait_for(kWait) != std::future_status::ready) {
      ADD_FAILURE() << "server operation did not finish";
      std::abort();  // `promise` is still referenced by the coroutine
    }
    return future.get();
  }

  domain::Uuid create_session(std::uint32_t n, int participants = 2, bool started = true,
                              domain::Millis bank = domain::Millis{600'000}) {
    domain::CreateSessionRequest request;
    request.sync_mode = domain::SyncMode::per_participant;
    for (int i = 0; i < participants; ++i) {
      domain::NewParticipant p;
      p.participant_id = make_uuid(n * 1000 + static_cast<std::uint32_t>(i), 0x9a);
      p.total_time = bank;
      request.participants.push_back(p);
    }
    const auto id = make_uuid(n);
    auto created = run(service_->create(request, id));
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().message);
    if (started) switch_turn(id, domain::StartCommand{});
    return id;
  }

  std::int64_t switch_turn(const domain::Uuid& id,
                           domain::Command command = domain::SwitchCommand{}) {
    auto r = run(service_->execute(id, std::move(command)));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r->state.version : -1;
  }

  // A client of `id` that has read CONNECTED and STATE_SYNC; returns the synced version.
  std::unique_ptr<Client> connect_synced(const domain::Uuid& id, std::int64_t* version = nullptr) {
    auto c = std::make_unique<Client>(port_, ws_target(id));
    c->expect("CONNECTED");
    const auto sync = c->expect("STATE_SYNC");
    if (version) *version = Json(sync).state_version();
    return c;
  }

  double metric(std::string_view name) const {
    const auto text = metrics_.serialize();
    std::size_t pos = 0;
    while ((pos = text.find(name, pos)) != std::string::npos) {
      const bool line_start = pos == 0 || text[pos - 1] == '\n';
      const auto end = text.find('\n', pos);
      const auto line = text.substr(pos, end - pos);
      pos += name.size();
      if (line_start && line.size() > name.size() && line[name.size()] == ' ') {
        return std::stod(line.substr(name.size() + 1));
      }
    }
    return -1;
  }

  domain::SystemClock clock_;
  Metrics metrics_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  tcp::acceptor acceptor_{io_};
  std::uint16_t port_ = 0;
  std::unique_ptr<store::MemoryStore> store_;
  std::unique_ptr<SessionService> service_;
  std::unique_ptr<GatedStore> gated_;
  std::unique_ptr<SessionService> hub_service_;
  std::unique_ptr<Hub> hub_;
  std::vector<std::thread> threads_;
};

TEST_F(HubTest, SendsConnectedThenStateSync) {
  start();
  const auto id = create_session(1);
  const auto before = domain::to_unix_ms(clock_.wall_now());
  Client c(port_, ws_target(id));

  const Json connected(c.expect("CONNECTED"));
  EXPECT_EQ(connected.str("sessionId"), id.to_string());
  EXPECT_GE(connected.integer("timestamp").value_or(0), before);

  const Json sync(c.expect("STATE_SYNC"));
  EXPECT_EQ(sync.str("sessionId"), id.to_string());
  EXPECT_EQ(sync.state_version(), 2);  // created (1), started (2)
  EXPECT_GE(sync.integer("timestamp").value_or(0), before);
  EXPECT_TRUE(wait_until([&] { return metric("synckairos_websocket_connections") == 1; }, kWait));
}

TEST_F(HubTest, MissingOrMalformedSessionIdClosesWithPolicyError) {
  start();
  struct Case {
    const char* name;
    std::string target;
    const char* reason;
  };
  const std::vector<Case> cases = {
      {"no query", "/ws", "missing sessionId"},
      {"other parameter only", "/ws?token=abc", "missing sessionId"},
      {"empty value", "/ws?sessionId=", "missing sessionId"},
      {"not a uuid", "/ws?sessionId=not-a-uuid", "invalid sessionId"},
      {"uuid without dashes", "/ws?sessionId=5e0000000000000000000000000000001",
       "invalid sessionId"},
      {"uuid with trailing junk", ws_target(make_uuid(1)) + "x&token=t", "invalid sessionId"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Client client(port_, c.target);
    const auto reason = client.expect_close();
    EXPECT_EQ(reason.code, websocket::close_code::policy_error);
    EXPECT_EQ(reason.reason, c.reason);
  }
}

TEST_F(HubTest, UnknownSessionGetsNotFoundAndKeepsWatching) {
  start();
  const auto id = make_uuid(77);
  Client c(port_, ws_target(id) + "&token=ignored");
  c.expect("CONNECTED");
  const Json error(c.expect("ERROR"));
  EXPECT_EQ(error.str("code"), "SESSION_NOT_FOUND");
  EXPECT_FALSE(error.str("message").empty());

  // Created later: the watcher still gets it.
  EXPECT_EQ(create_session(77, 2, false), id);
  EXPECT_EQ(Json(c.expect("STATE_UPDATE")).state_version(), 1);
}

TEST_F(HubTest, EveryWatcherReceivesEveryUpdateInVersionOrder) {
  start();
  const auto id = create_session(2);
  std::int64_t synced = 0;
  auto a = connect_synced(id, &synced);
  auto b = connect_synced(id);
  auto other = connect_synced(create_session(3));  // watches another session

  constexpr int kSwitches = 50;
  std::int64_t last = 0;
  for (int i = 0; i < kSwitches; ++i) last = switch_turn(id);
  ASSERT_EQ(last, synced + kSwitches);

  for (auto* c : {a.get(), b.get()}) {
    std::int64_t expected = synced;
    for (int i = 0; i < kSwitches; ++i) {
      const Json update(c->expect("STATE_UPDATE"));
      EXPECT_EQ(update.state_version(), ++expected);
    }
  }
  // Nothing leaked to the other session's watcher: its next frame answers its PING.
  other->send(R"({"type":"PING"})");
  other->expect("PONG");
}

TEST_F(HubTest, ClientsJoiningDuringUpdatesSeeVersionsOnlyGoUp) {
  start();
  const auto id = create_session(4);
  constexpr int kSwitches = 120;
  std::atomic<std::int64_t> final_version{0};
  std::thread driver([&] {
    std::int64_t v = 0;
    for (int i = 0; i < kSwitches; ++i) v = switch_turn(id);
    final_version = v;
  });
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 6; ++i) {
    clients.push_back(std::make_unique<Client>(port_, ws_target(id)));
    std::this_thread::sleep_for(3ms);  // spread the joins over the updates
  }
  driver.join();
  ASSERT_GT(final_version.load(), 0);

  for (auto& c : clients) {
    c->expect("CONNECTED");
    // The first state is the sync; after it versions strictly increase, up to the last.
    std::int64_t v = Json(c->expect("STATE_SYNC")).state_version();
    while (v < final_version.load()) {
      const Json update(c->expect("STATE_UPDATE"));
      ASSERT_GT(update.state_version(), v);
      v = update.state_version();
    }
    EXPECT_EQ(v, final_version.load());
  }
}

TEST_F(HubTest, UpdatesMadeBeforeTheFirstReadAreNotRepeatedAfterTheSync) {
  start();
  const auto id = create_session(18);  // version 2
  gated_->gate = GatedStore::Gate::before_read;
  Client c(port_, ws_target(id));
  ASSERT_TRUE(wait_until([&] { return gated_->held == 1; }, kWait));
  // Registered as a watcher, not yet read: these arrive as STATE_UPDATEs first.
  for (int i = 0; i < 3; ++i) switch_turn(id);
  gated_->released = true;

  c.expect("CONNECTED");
  EXPECT_EQ(Json(c.expect("STATE_SYNC")).state_version(), 5);
  switch_turn(id);
  // Versions 3-5 were queued before the sync, which already holds them: dropped.
  EXPECT_EQ(Json(c.expect("STATE_UPDATE")).state_version(), 6);
}

TEST_F(HubTest, UpdatesMadeAfterTheFirstReadFollowTheSync) {
  start();
  const auto id = create_session(19);  // version 2
  gated_->gate = GatedStore::Gate::after_read;
  Client c(port_, ws_target(id));
  ASSERT_TRUE(wait_until([&] { return gated_->held == 1; }, kWait));
  // Read version 2, not yet sent: these are newer and must follow it.
  for (int i = 0; i < 2; ++i) switch_turn(id);
  gated_->released = true;

  c.expect("CONNECTED");
  EXPECT_EQ(Json(c.expect("STATE_SYNC")).state_version(), 2);
  EXPECT_EQ(Json(c.expect("STATE_UPDATE")).state_version(), 3);
  EXPECT_EQ(Json(c.expect("STATE_UPDATE")).state_version(), 4);
}

TEST_F(HubTest, PingGetsPongEchoingClientTimestamp) {
  start();
  auto c = connect_synced(create_session(5));
  const auto before = domain::to_unix_ms(clock_.wall_now());
  ASSERT_FALSE(c->send(R"({"type":"PING","client_timestamp":1234567})"));
  const Json pong(c->expect("PONG"));
  EXPECT_EQ(pong.integer("client_timestamp"), 1234567);
  EXPECT_GE(pong.integer("timestamp").value_or(0), before);

  ASSERT_FALSE(c->send(R"({"type":"PING"})"));
  const Json bare(c->expect("PONG"));
  EXPECT_EQ(bare.integer("client_timestamp"), std::nullopt);
}

TEST_F(HubTest, RequestsLongerThanOneReadPieceAreAssembled) {
  // The server reads requests in small pieces; a longer one (valid JSON padded with
  // whitespace) must still be answered once, as a whole, and the next one stand alone.
  start();
  auto c = connect_synced(create_session(9));
  const std::string padded =
      R"({"type":"PING",)" + std::string(10'000, ' ') + R"("client_timestamp":777})";
  ASSERT_FALSE(c->send(padded));
  EXPECT_EQ(Json(c->expect("PONG")).integer("client_timestamp"), 777);
  ASSERT_FALSE(c->send(std::string(5'000, 'b'), /*binary=*/true));
  EXPECT_EQ(Json(c->expect("ERROR")).str("code"), "VALIDATION_ERROR");
  ASSERT_FALSE(c->send(R"({"type":"PING","client_timestamp":778})"));
  EXPECT_EQ(Json(c->expect("PONG")).integer("client_timestamp"), 778);
}

TEST_F(HubTest, InvalidRequestsGetValidationErrorAndKeepTheConnection) {
  start();
  auto c = connect_synced(create_session(6));
  struct Case {
    const char* name;
    std::string frame;
    bool binary;
  };
  const std::vector<Case> cases = {
      {"malformed JSON", "{not json", false},
      {"not an object", "[1,2]", false},
      {"no type", R"({"client_timestamp":1})", false},
      {"unknown type", R"({"type":"SWITCH"})", false},
      {"bad client_timestamp", R"({"type":"PING","client_timestamp":"soon"})", false},
      {"negative last_version", R"({"type":"RECONNECT","last_version":-1})", false},
      {"binary frame", R"({"type":"PING"})", true},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.name);
    ASSERT_FALSE(c->send(k.frame, k.binary));
    EXPECT_EQ(Json(c->expect("ERROR")).str("code"), "VALIDATION_ERROR");
  }
  ASSERT_FALSE(c->send(R"({"type":"PING","client_timestamp":1})"));
  c->expect("PONG");
}

TEST_F(HubTest, OversizedMessageClosesWithTooBig) {
  start();
  auto c = connect_synced(create_session(7));
  const std::string huge = R"({"type":"PING","pad":")" + std::string(70 * 1024, 'x') + R"("})";
  (void)c->send(huge);  // may fail once the server has closed
  // Beast answers 1009 and tears the connection down; its teardown (Boost 1.81) closes
  // the socket with the rest of our frame unread, so the kernel may reset the
  // connection before the close frame is read. Either way the server has ended it.
  const auto end = c->read();
  if (end.ec == websocket::error::closed) {
    EXPECT_EQ(c->reason().code, websocket::close_code::too_big);
  } else {
    EXPECT_TRUE(end.ec) << "expected the connection to end, got " << end.text;
  }
  EXPECT_TRUE(wait_until([&] { return hub_->connection_count() == 0; }, kWait));
}

TEST_F(HubTest, ReconnectWithOldVersionGetsStateSync) {
  start();
  const auto id = create_session(8);
  std::int64_t v = 0;
  auto c = connect_synced(id, &v);
  for (int i = 0; i < 3; ++i) {
    switch_turn(id);
    EXPECT_EQ(Json(c->expect("STATE_UPDATE")).state_version(), ++v);
  }
  ASSERT_FALSE(c->send(R"({"type":"RECONNECT","last_version":1})"));
  EXPECT_EQ(Json(c->expect("STATE_SYNC")).state_version(), v);

  ASSERT_FALSE(c->send(R"({"type":"RECONNECT"})"));  // no state at all
  EXPECT_EQ(Json(c->expect("STATE_SYNC")).state_version(), v);

  // Later updates still flow, in order.
  switch_turn(id);
  EXPECT_EQ(Json(c->expect("STATE_UPDATE")).state_version(), v + 1);
}

TEST_F(HubTest, ReconnectWhenCurrentSendsNothing) {
  start();
  std::int64_t v = 0;
  auto c = connect_synced(create_session(9), &v);
  ASSERT_FALSE(c->send(R"({"type":"RECONNECT","last_version":)" + std::to_string(v) + "}"));
  ASSERT_FALSE(c->send(R"({"type":"PING","client_timestamp":42})"));
  // Requests are answered in order: had RECONNECT produced anything, it came first.
  EXPECT_EQ(Json(c->expect("PONG")).integer("client_timestamp"), 42);
}

TEST_F(HubTest, RemovedSessionSendsSessionDeletedThenCloses) {
  start();
  const auto id = create_session(10);
  auto a = connect_synced(id);
  auto b = connect_synced(id);
  auto r = run(service_->remove(id));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
  for (auto* c : {a.get(), b.get()}) {
    EXPECT_EQ(Json(c->expect("SESSION_DELETED")).str("sessionId"), id.to_string());
    EXPECT_EQ(c->expect_close().code, websocket::close_code::normal);
  }
  EXPECT_TRUE(wait_until([&] { return hub_->connection_count() == 0; }, kWait));
}

// The upgrade completes only once the watcher is registered (with the hub and with
// the store): a client that acts the moment it sees the handshake (here it deletes
// the session) still receives what that changes. It once registered after the
// upgrade, and a DELETE right after the handshake left the socket open with only
// ERROR SESSION_NOT_FOUND.
TEST_F(HubTest, TheHandshakeCompletesOnlyAfterTheWatcherIsRegistered) {
  start();
  const auto id = create_session(40);
  gated_->hold_watch = true;
  std::atomic<bool> handshaken{false};
  std::unique_ptr<Client> c;
  std::thread opener([&] {
    c = std::make_unique<Client>(port_, ws_target(id));
    handshaken = true;
  });
  ASSERT_TRUE(wait_until([&] { return gated_->held == 1; }, kWait));
  // A bounded look for something that must NOT happen while the registration waits.
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(handshaken) << "the upgrade completed before the watcher was registered";
  gated_->released = true;
  opener.join();
  ASSERT_TRUE(handshaken);

  ASSERT_TRUE(run(service_->remove(id)).ok());
  // CONNECTED, then STATE_SYNC or (when the read came after the delete) ERROR, then
  // SESSION_DELETED and the close.
  EXPECT_EQ(Json(c->expect("CONNECTED")).str("type"), "CONNECTED");
  bool deleted = false;
  for (int i = 0; i < 3 && !deleted; ++i) {
    const auto f = c->read();
    ASSERT_FALSE(f.ec) << f.ec.message();
    deleted = Json(f.text).str("type") == "SESSION_DELETED";
  }
  EXPECT_TRUE(deleted);
  EXPECT_EQ(c->expect_close().code, websocket::close_code::normal);
}

TEST_F(HubTest, TimeOutDeliversStateUpdateThenTimeExpired) {
  start();
  // The shortest bank allowed; the store's deadline timer fires it with nobody calling.
  const auto id = create_session(15, 2, true, domain::Millis{1000});
  std::int64_t synced = 0;
  auto c = connect_synced(id, &synced);

  const Json update(c->expect("STATE_UPDATE"));
  EXPECT_EQ(update.state_version(), synced + 1);
  // Same write, same version as the update: it must not be taken for a duplicate.
  const Json expired(c->expect("TIME_EXPIRED"));
  EXPECT_EQ(expired.str("sessionId"), id.to_string());
  EXPECT_EQ(expired.str("participant_id"), make_uuid(15'000, 0x9a).to_string());
}

TEST_F(HubTest, BroadcastIsDeliveredAsIs) {
  start();
  const auto id = create_session(16);
  auto c = connect_synced(id);
  const std::string payload = R"({"type":"ANNOUNCEMENT","text":"five minutes"})";
  EXPECT_FALSE(run(store_->broadcast(id, payload)).has_value());
  const auto f = c->read();
  ASSERT_FALSE(f.ec) << f.ec.message();
  EXPECT_EQ(f.text, payload);
}

TEST_F(HubTest, ExpiredSessionSendsSessionDeletedThenCloses) {
  store::MemoryStoreOptions store_options;
  store_options.ttl = std::chrono::seconds{1};
  store_options.sweep_interval = 50ms;
  start({}, store_options);
  const auto id = create_session(17);
  auto c = connect_synced(id);
  // The store's sweep expires it with an empty payload; the hub writes the message.
  EXPECT_EQ(Json(c->expect("SESSION_DELETED")).str("sessionId"), id.to_string());
  EXPECT_EQ(c->expect_close().code, websocket::close_code::normal);
}

TEST_F(HubTest, ShutdownClosesEveryConnectionWithGoingAway) {
  start();
  auto a = connect_synced(create_session(11));
  auto b = std::make_unique<Client>(port_, ws_target(make_uuid(12)));
  b->expect("CONNECTED");
  b->expect("ERROR");
  ASSERT_TRUE(wait_until([&] { return hub_->connection_count() == 2; }, kWait));

  hub_->shutdown();
  EXPECT_EQ(a->expect_close().code, websocket::close_code::going_away);
  EXPECT_EQ(b->expect_close().code, websocket::close_code::going_away);

  // Accepted after shutdown: closed at once, without CONNECTED.
  Client late(port_, ws_target(make_uuid(11)));
  const auto f = late.read();
  EXPECT_EQ(f.ec, websocket::error::closed) << f.text;
  EXPECT_TRUE(wait_until([&] { return hub_->connection_count() == 0; }, kWait));
  EXPECT_TRUE(wait_until([&] { return metric("synckairos_websocket_connections") == 0; }, kWait));
}

TEST_F(HubTest, SlowClientIsDroppedWhileOthersReceiveEverything) {
  HubOptions options;
  options.max_queued_messages = 8;
  start(options);
  const auto id = create_session(13, 8);

  std::int64_t synced = 0;
  auto normal = connect_synced(id, &synced);
  // Never reads after the handshake; its kernel buffers hold only a few frames.
  Client slow(port_, ws_target(id) + "&slow=1", 4096);
  ASSERT_TRUE(wait_until([&] { return hub_->connection_count() == 2; }, kWait));

  // The normal client reads while the updates are made, as a real one would. The
  // driver stays at most kWindow updates ahead of it, so on however slow a machine the
  // normal client's queue never holds more than kWindow < max_queued_messages frames,
  // while the slow one's only grows.
  constexpr int kSwitches = 200;
  constexpr int kWindow = 4;
  std::vector<std::int64_t> received;
  std::atomic<int> read_count{0};
  std::atomic<bool> reader_failed{false};
  std::thread reader([&] {
    for (int i = 0; i < kSwitches; ++i) {
      const Json update(normal->expect("STATE_UPDATE"));
      received.push_back(update.state_version());
      ++read_count;
      if (update.state_version() < 0) {
        reader_failed = true;
        return;
      }
    }
  });
  for (int i = 0; i < kSwitches && !reader_failed; ++i) {
    ASSERT_TRUE(wait_until([&] { return read_count >= i - kWindow || reader_failed; }, kWait));
    switch_turn(id);
  }
  reader.join();

  ASSERT_EQ(received.size(), static_cast<std::size_t>(kSwitches));
  for (int i = 0; i < kSwitches; ++i) {
    ASSERT_EQ(received[static_cast<std::size_t>(i)], synced + i + 1);
  }
  EXPECT_TRUE(wait_until([&] { return hub_->connection_count() == 1; }, kWait));
  EXPECT_EQ(metric("synckairos_websocket_slow_client_drops_total"), 1);
}

TEST_F(HubTest, HeartbeatDropsClientsThatDoNotAnswerPings) {
  HubOptions options;
  options.heartbeat = 200ms;
  start(options);
  const auto id = create_session(14);

  // A live client: reads (so answers the server's pings) every 50 ms, all along.
  auto live = connect_synced(id);
  std::atomic<bool> stop{false};
  std::atomic<int> pongs{0};
  std::thread keep_alive([&] {
    for (int i = 0; !stop; ++i) {
      if (live->send(R"({"type":"PING","client_timestamp":)" + std::to_string(i) + "}")) break;
      if (Json(live->expect("PONG")).integer("client_timestamp") != i) break;
      ++pongs;
      std::this_thread::sleep_for(50ms);  // idle on purpose, well under a heartbeat
    }
  });

  // Completes the handshake, then never reads: the server's pings go unanswered.
  const auto connected_at = std::chrono::steady_clock::now();
  Client silent(port_, ws_target(id));
  const bool both = wait_until([&] { return hub_->connection_count() == 2; }, kWait);
  // Dropped after two heartbeats (~400 ms); 2 s leaves room for a loaded machine.
  const bool dropped = wait_until([&] { return hub_->connection_count() == 1; }, kWait);
  const auto took = std::chrono::steady_clock::now() - connected_at;
  // The live one stays through several more heartbeats.
  const int pongs_before = pongs;
  std::this_thread::sleep_for(1s);
  stop = true;
  keep_alive.join();

  EXPECT_TRUE(both);
  EXPECT_TRUE(dropped);
  EXPECT_LT(took, 2s);
  EXPECT_EQ(hub_->connection_count(), 1u);
  EXPECT_GT(pongs.load(), pongs_before);
}

// ---- client_input.h ---------------------------------------------------------------

TEST(ClientInput, SessionIdFromTarget) {
  const std::string id = "5E000000-0000-0000-0000-000000000001";
  struct Case {
    std::string target;
    bool ok;
    std::string_view error;
  };
  const std::vector<Case> cases = {
      {"/ws?sessionId=" + id, true, ""},
      {"/ws?token=t&sessionId=" + id + "&x", true, ""},
      {"/ws?sessionId=" + id + "#frag", true, ""},
      {"/ws?sessionid=" + id, false, "missing sessionId"},
      {"/ws", false, "missing sessionId"},
      {"/ws?sessionId", false, "missing sessionId"},
      {"/ws?sessionId=&sessionId=" + id, false, "missing sessionId"},
      {"/ws?sessionId=" + id.substr(1), false, "invalid sessionId"},
      {"/ws?sessionId=5e000000%2D0000-0000-0000-000000000001", false, "invalid sessionId"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.target);
    const auto q = parse_session_id(c.target);
    EXPECT_EQ(q.id.has_value(), c.ok);
    EXPECT_EQ(q.error, c.error);
    if (c.ok) {
      EXPECT_EQ(q.id, domain::Uuid::parse(id));
    }
  }
}

TEST(ClientInput, Requests) {
  ClientRequestParser parser;
  struct Case {
    std::string text;
    int kind;  // variant index: 0 PING, 1 RECONNECT, 2 AUTH, 3 invalid
    std::optional<std::int64_t> number;
  };
  const std::vector<Case> cases = {
      {R"({"type":"PING"})", 0, std::nullopt},
      {R"({"type":"PING","client_timestamp":17})", 0, 17},
      {R"({"type":"PING","client_timestamp":null,"extra":[1]})", 0, std::nullopt},
      {R"({"type":"RECONNECT","last_version":3})", 1, 3},
      {R"({"type":"RECONNECT"})", 1, std::nullopt},
      {R"({"type":"PING","client_timestamp":1.5})", 3, std::nullopt},
      {R"({"type":"RECONNECT","last_version":-2})", 3, std::nullopt},
      {R"({"type":"ping"})", 3, std::nullopt},
      {R"({"type":1})", 3, std::nullopt},
      {R"("PING")", 3, std::nullopt},
      {"", 3, std::nullopt},
      {"{\"type\":\"PING\"", 3, std::nullopt},
      {R"({"type":"AUTH","token":"a.b.c"})", 2, std::nullopt},
      {R"({"type":"AUTH","token":""})", 3, std::nullopt},
      {R"({"type":"AUTH"})", 3, std::nullopt},
      {R"({"type":"AUTH","token":7})", 3, std::nullopt},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto r = parser.parse(c.text);
    ASSERT_EQ(static_cast<int>(r.index()), c.kind);
    if (const auto* p = std::get_if<PingRequest>(&r)) {
      EXPECT_EQ(p->client_timestamp, c.number);
    }
    if (const auto* p = std::get_if<ReconnectRequest>(&r)) {
      EXPECT_EQ(p->last_version, c.number);
    }
    if (const auto* p = std::get_if<InvalidRequest>(&r)) {
      EXPECT_FALSE(p->message.empty());
    }
  }
}

}  // namespace
}  // namespace sk::server::ws
