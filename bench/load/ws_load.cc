// sk_ws_load: the WebSocket load generator of scripts/loadtest (SPEC §4). Never a test.
//
//   sk_ws_load idle   --port P --session ID --connections N [--hold-s S] [--rss-pid PID]
//   sk_ws_load fanout --port P --session ID --watchers N --switches K [--interval-ms MS]
//                     [--switch-port P2]
//
// idle:   opens N WebSocket connections to /ws?sessionId=ID in batches (tolerating a
//         few failures, reporting how many succeeded), holds them for --hold-s seconds
//         with one read always pending on each (so Beast answers the server's pings),
//         then closes them with 1000. With --rss-pid it samples that process's VmRSS
//         before, with everything open, at the end of the hold and after the close.
// fanout: opens N watchers of one running session, waits for every STATE_SYNC, then
//         sends K switches (POST /v1/sessions/ID/switch, empty body) over one
//         keep-alive HTTP connection, --interval-ms apart, stamping each just before
//         it is written (steady clock). Every watcher stamps each STATE_UPDATE as it
//         is read; the delivery latency of a (watcher, update) pair is its receive
//         stamp minus the send stamp of the switch that made that version. Reports
//         p50/p90/p99/max over all pairs and checks that every watcher received every
//         version, in order (mismatches are counted, not fatal).
//
// Everything goes to --host (default 127.0.0.1). Every phase is bounded in time and a
// watchdog ends the process after --timeout-s. The generator runs on the same cores as
// the server, so its figures are a lower bound of what the server can do.
// The last stdout line, starting with "RESULT", is key=value pairs for scripts.
#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <simdjson.h>
#include <sys/resource.h>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct Options {
  std::string mode;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::uint16_t switch_port = 0;  // fanout: another instance for the switches (0: --port)
  std::string session;
  int connections = 10000;  // idle
  int hold_s = 20;          // idle
  int rss_pid = 0;          // idle: 0 = do not sample
  int watchers = 1000;      // fanout
  int switches = 200;       // fanout
  int interval_ms = 20;     // fanout: between two switch sends
  int batch = 500;          // handshakes in flight at once
  int threads = 1;          // client I/O threads
  int timeout_s = 300;      // watchdog for the whole run
};

[[noreturn]] void usage(std::string_view error) {
  std::cerr << "sk_ws_load: " << error << "\n"
            << "usage: sk_ws_load idle --port P --session ID --connections N [--hold-s S]\n"
               "                       [--rss-pid PID]\n"
               "       sk_ws_load fanout --port P --session ID --watchers N --switches K\n"
               "                         [--interval-ms MS]\n"
               "common: [--host 127.0.0.1] [--batch 500] [--threads 1] [--timeout-s 300]\n";
  std::exit(2);
}

int parse_int(std::string_view name, std::string_view text, int lo, int hi) {
  int v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v < lo || v > hi) {
    usage(std::string{name} + ": expected an integer in [" + std::to_string(lo) + ", " +
          std::to_string(hi) + "]");
  }
  return v;
}

Options parse_options(int argc, char** argv) {
  if (argc < 2) usage("missing mode");
  Options o;
  o.mode = argv[1];
  if (o.mode != "idle" && o.mode != "fanout") usage("mode must be idle or fanout");
  for (int i = 2; i < argc; i += 2) {
    const std::string_view key = argv[i];
    if (i + 1 >= argc) usage(std::string{key} + " needs a value");
    const std::string_view value = argv[i + 1];
    if (key == "--host") {
      o.host = value;
    } else if (key == "--port") {
      o.port = static_cast<std::uint16_t>(parse_int(key, value, 1, 65535));
    } else if (key == "--switch-port") {
      o.switch_port = static_cast<std::uint16_t>(parse_int(key, value, 1, 65535));
    } else if (key == "--session") {
      o.session = value;
    } else if (key == "--connections") {
      o.connections = parse_int(key, value, 1, 100000);
    } else if (key == "--hold-s") {
      o.hold_s = parse_int(key, value, 0, 3600);
    } else if (key == "--rss-pid") {
      o.rss_pid = parse_int(key, value, 1, 1 << 30);
    } else if (key == "--watchers") {
      o.watchers = parse_int(key, value, 1, 100000);
    } else if (key == "--switches") {
      o.switches = parse_int(key, value, 1, 1000000);
    } else if (key == "--interval-ms") {
      o.interval_ms = parse_int(key, value, 0, 60000);
    } else if (key == "--batch") {
      o.batch = parse_int(key, value, 1, 100000);
    } else if (key == "--threads") {
      o.threads = parse_int(key, value, 1, 64);
    } else if (key == "--timeout-s") {
      o.timeout_s = parse_int(key, value, 1, 24 * 3600);
    } else {
      usage("unknown option " + std::string{key});
    }
  }
  if (o.port == 0) usage("--port is required");
  if (o.session.empty()) usage("--session is required");
  return o;
}

// Raises the soft open-file limit to the hard one: 10,000 sockets need > 10,000 fds.
rlim_t raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0) getrlimit(RLIMIT_NOFILE, &lim);
  }
  return lim.rlim_cur;
}

// VmRSS of `pid` in kB, or -1.
long rss_kb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

double mb(long kb) { return static_cast<double>(kb) / 1024.0; }

// CPU time (user + system) this process has used, in seconds.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return s(u.ru_utime) + s(u.ru_stime);
}

// Ends the process if the run outlives its bound, whatever is stuck.
class Watchdog {
 public:
  explicit Watchdog(seconds limit)
      : thread_([this, limit] {
          std::unique_lock lock(m_);
          if (!cv_.wait_for(lock, limit, [this] { return done_; })) {
            std::cerr << "sk_ws_load: timed out after " << limit.count() << " s\n";
            std::_Exit(3);
          }
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(m_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// Counters shared by the I/O threads and the main thread, which waits on them.
struct Shared {
  std::atomic<int> opened{0};
  std::atomic<int> failed{0};
  std::atomic<int> synced{0};   // STATE_SYNC received
  std::atomic<int> dropped{0};  // ended without us closing it
  std::atomic<int> ended{0};    // read loop finished (opened connections only)
  std::atomic<int> bad_messages{0};
  std::mutex m;
  std::condition_variable cv;

  void bump(std::atomic<int>& counter) {
    counter.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock(m);
    cv.notify_all();
  }
  // Waits until `done()` or `limit`; false on time-out.
  bool wait(milliseconds limit, const std::function<bool()>& done) {
    std::unique_lock lock(m);
    return cv.wait_for(lock, limit, done);
  }
};

struct Update {
  std::int64_t version;
  Clock::time_point at;
  std::int64_t stamp_lag_ms;  // wall clock at receipt - the message's server timestamp
};

struct Conn {
  explicit Conn(asio::io_context& io) : ws(io.get_executor()) {}
  // On the bare socket: Beast's tcp_stream costs a large allocation per read.
  websocket::stream<tcp::socket> ws;
  beast::flat_buffer buffer;
  std::vector<Update> updates;  // STATE_UPDATEs in arrival order (I/O thread only)
  std::atomic<std::int64_t> last_version{0};
  bool open = false;                // I/O thread only
  std::atomic<bool> opened{false};  // ever open (the main thread polls it)
  bool closing = false;             // I/O thread only: we asked to close
};

std::int64_t wall_ms() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void on_message(Conn& c, Shared& shared, Clock::time_point at, std::string_view text) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view type;
  if (parser.parse(text.data(), text.size()).get(doc) || doc["type"].get(type)) {
    shared.bad_messages.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (type != "STATE_SYNC" && type != "STATE_UPDATE") return;
  std::int64_t version = 0;
  std::int64_t timestamp = 0;
  if (doc["state"]["version"].get(version) || doc["timestamp"].get(timestamp)) {
    shared.bad_messages.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (type == "STATE_SYNC") {
    c.last_version.store(version, std::memory_order_release);
    shared.bump(shared.synced);
    return;
  }
  c.updates.push_back({version, at, wall_ms() - timestamp});
  c.last_version.store(version, std::memory_order_release);
}

asio::awaitable<void> run_connection(std::shared_ptr<Conn> c, Shared& shared, tcp::endpoint ep,
                                     std::string host, std::string target) {
  beast::error_code ec;
  auto& socket = c->ws.next_layer();
  // A loopback connect does not hang; the run as a whole is bounded by --timeout-s.
  co_await socket.async_connect(ep, asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) {
    socket.set_option(tcp::no_delay(true), ec);
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = seconds{10};
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    c->ws.set_option(timeouts);
    co_await c->ws.async_handshake(host, target, asio::redirect_error(asio::use_awaitable, ec));
  }
  if (ec) {
    shared.bump(shared.failed);
    co_return;
  }
  c->open = true;
  c->opened = true;
  shared.bump(shared.opened);
  // One read always pending: Beast answers the server's pings while it is.
  for (;;) {
    c->buffer.clear();
    co_await c->ws.async_read(c->buffer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    const auto at = Clock::now();
    const auto data = c->buffer.cdata();
    on_message(*c, shared, at, {static_cast<const char*>(data.data()), data.size()});
  }
  c->open = false;
  if (!c->closing) shared.dropped.fetch_add(1, std::memory_order_relaxed);
  shared.bump(shared.ended);
}

// The client's I/O threads, each with its own io_context; connections are spread
// round-robin, so a connection's state is only touched by one thread.
class Pool {
 public:
  explicit Pool(int threads) {
    for (int i = 0; i < threads; ++i) {
      ios_.push_back(std::make_unique<asio::io_context>(1));
      guards_.emplace_back(ios_.back()->get_executor());
    }
    for (auto& io : ios_) threads_.emplace_back([ctx = io.get()] { ctx->run(); });
  }
  ~Pool() { stop(); }
  asio::io_context& at(std::size_t i) { return *ios_[i % ios_.size()]; }
  void stop() {
    for (auto& g : guards_) g.reset();
    for (auto& io : ios_) io->stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

 private:
  std::vector<std::unique_ptr<asio::io_context>> ios_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
};

// Opens `n` connections in batches of `batch` handshakes; returns them all (failed
// ones included: they are simply never open).
std::vector<std::shared_ptr<Conn>> open_all(Pool& pool, Shared& shared, const Options& o, int n) {
  const tcp::endpoint ep{asio::ip::make_address(o.host), o.port};
  const std::string host = o.host + ":" + std::to_string(o.port);
  const std::string target = "/ws?sessionId=" + o.session;
  std::vector<std::shared_ptr<Conn>> conns;
  conns.reserve(static_cast<std::size_t>(n));
  for (int first = 0; first < n; first += o.batch) {
    const int last = std::min(n, first + o.batch);
    for (int i = first; i < last; ++i) {
      auto& io = pool.at(static_cast<std::size_t>(i));
      auto c = std::make_shared<Conn>(io);
      conns.push_back(c);
      asio::co_spawn(io, run_connection(c, shared, ep, host, target), asio::detached);
    }
    const bool batch_done = shared.wait(
        seconds{30}, [&] { return shared.opened.load() + shared.failed.load() >= last; });
    if (!batch_done) {
      std::cerr << "sk_ws_load: batch " << first << ".." << last << " not done in 30 s\n";
      break;
    }
  }
  return conns;
}

// Closes every open connection with 1000 and waits (bounded) for the reads to end.
void close_all(Shared& shared, const std::vector<std::shared_ptr<Conn>>& conns) {
  for (const auto& c : conns) {
    asio::post(c->ws.get_executor(), [c] {
      if (!c->open || c->closing) return;
      c->closing = true;
      c->ws.async_close(websocket::close_code::normal, [c](beast::error_code) {});
    });
  }
  const int opened = shared.opened.load();
  if (!shared.wait(seconds{30}, [&] { return shared.ended.load() >= opened; })) {
    std::cerr << "sk_ws_load: " << opened - shared.ended.load()
              << " connections still open 30 s after closing\n";
  }
}

double secs_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

int run_idle(const Options& o) {
  Shared shared;
  Pool pool(o.threads);
  const long rss_before = o.rss_pid ? rss_kb(o.rss_pid) : -1;
  const auto t0 = Clock::now();
  auto conns = open_all(pool, shared, o, o.connections);
  const double open_s = secs_since(t0);
  const auto hold_end = Clock::now() + seconds{o.hold_s};
  shared.wait(seconds{10}, [&] { return shared.synced.load() >= shared.opened.load(); });
  std::cout << "idle: opened " << shared.opened << " of " << o.connections << " (failed "
            << shared.failed << ") in " << open_s << " s; " << shared.synced << " got STATE_SYNC"
            << std::endl;
  std::this_thread::sleep_for(seconds{1});  // let the server settle
  const long rss_open = o.rss_pid ? rss_kb(o.rss_pid) : -1;
  std::this_thread::sleep_until(std::max(hold_end, Clock::now()));
  const int still_open = shared.opened.load() - shared.dropped.load();
  const long rss_hold = o.rss_pid ? rss_kb(o.rss_pid) : -1;
  close_all(shared, conns);
  std::this_thread::sleep_for(seconds{1});
  const long rss_after = o.rss_pid ? rss_kb(o.rss_pid) : -1;
  pool.stop();

  std::cout << "idle: held " << o.hold_s << " s; still open at the end " << still_open
            << ", dropped by the server " << shared.dropped << ", bad messages "
            << shared.bad_messages << std::endl;
  if (o.rss_pid) {
    std::printf(
        "idle: server RSS before %.1f MB, all open %.1f MB, end of hold %.1f MB, after close "
        "%.1f MB; growth %.1f MB (%.1f kB per connection)\n",
        mb(rss_before), mb(rss_open), mb(rss_hold), mb(rss_after), mb(rss_open - rss_before),
        shared.opened > 0 ? static_cast<double>(rss_open - rss_before) / shared.opened : 0.0);
  }
  std::printf(
      "RESULT mode=idle requested=%d opened=%d failed=%d synced=%d still_open=%d dropped=%d "
      "open_s=%.2f rss_before_kb=%ld rss_open_kb=%ld rss_hold_kb=%ld rss_after_kb=%ld "
      "client_cpu_s=%.2f\n",
      o.connections, shared.opened.load(), shared.failed.load(), shared.synced.load(), still_open,
      shared.dropped.load(), open_s, rss_before, rss_open, rss_hold, rss_after, cpu_seconds());
  return shared.opened.load() > 0 ? 0 : 1;
}

// One keep-alive HTTP/1.1 connection, synchronous: the send stamp is taken just
// before the request is written. With --switch-port it goes to another instance than
// the watchers (fan-out across instances through Redis).
class SwitchClient {
  static std::uint16_t port_of(const Options& o) { return o.switch_port ? o.switch_port : o.port; }

 public:
  explicit SwitchClient(const Options& o)
      : socket_(io_), host_(o.host + ":" + std::to_string(port_of(o))) {
    socket_.connect({asio::ip::make_address(o.host), port_of(o)});
    socket_.set_option(tcp::no_delay(true));
    request_.method(http::verb::post);
    request_.target("/v1/sessions/" + o.session + "/switch");
    request_.version(11);
    request_.set(http::field::host, host_);
    request_.keep_alive(true);
    request_.content_length(0);
  }
  struct Reply {
    unsigned status = 0;
    std::int64_t version = 0;
    Clock::time_point sent;
    Clock::time_point answered;
  };
  Reply send() {
    Reply r;
    r.sent = Clock::now();
    http::write(socket_, request_);
    http::response<http::string_body> res;
    http::read(socket_, buffer_, res);
    r.answered = Clock::now();
    r.status = res.result_int();
    simdjson::dom::element doc;
    if (parser_.parse(res.body()).get(doc) || doc["data"]["version"].get(r.version)) r.version = 0;
    return r;
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  std::string host_;
  http::request<http::empty_body> request_;
  beast::flat_buffer buffer_;
  simdjson::dom::parser parser_;
};

std::int64_t percentile(const std::vector<std::int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank =
      static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

double ms(std::int64_t us) { return static_cast<double>(us) / 1000.0; }

std::string summary_ms(std::vector<std::int64_t>& us) {
  std::sort(us.begin(), us.end());
  char out[160];
  std::snprintf(out, sizeof out, "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (n=%zu)",
                ms(percentile(us, 50)), ms(percentile(us, 90)), ms(percentile(us, 99)),
                ms(us.empty() ? 0 : us.back()), us.size());
  return out;
}

int run_fanout(const Options& o) {
  Shared shared;
  Pool pool(o.threads);
  const auto t0 = Clock::now();
  auto conns = open_all(pool, shared, o, o.watchers);
  const int opened = shared.opened.load();
  if (!shared.wait(seconds{30}, [&] { return shared.synced.load() >= opened; })) {
    std::cerr << "sk_ws_load: only " << shared.synced << " of " << opened
              << " watchers got STATE_SYNC\n";
  }
  std::cout << "fanout: " << opened << " of " << o.watchers << " watchers open (failed "
            << shared.failed << "), " << shared.synced << " synced, in " << secs_since(t0) << " s"
            << std::endl;
  if (opened == 0) return 1;

  // The switches, paced: send i is due at start + i * interval.
  std::map<std::int64_t, Clock::time_point> sent_at;  // by the version it made
  std::vector<std::int64_t> versions;                 // in send order
  std::vector<std::int64_t> rtt_us;
  int failed_switches = 0;
  const double cpu_before = cpu_seconds();
  {
    SwitchClient client(o);
    const auto start = Clock::now();
    for (int i = 0; i < o.switches; ++i) {
      std::this_thread::sleep_until(start + milliseconds{o.interval_ms} * i);
      const auto r = client.send();
      rtt_us.push_back(
          std::chrono::duration_cast<std::chrono::microseconds>(r.answered - r.sent).count());
      if (r.status != 200 || r.version == 0) {
        ++failed_switches;
        continue;
      }
      sent_at[r.version] = r.sent;
      versions.push_back(r.version);
    }
  }
  const std::int64_t final_version = versions.empty() ? 0 : versions.back();
  // Waits (up to 10 s, polling) until every open watcher has the last version.
  for (int i = 0; i < 2000; ++i) {
    if (std::all_of(conns.begin(), conns.end(), [&](const auto& c) {
          return !c->opened || c->last_version.load(std::memory_order_acquire) >= final_version;
        })) {
      break;
    }
    std::this_thread::sleep_for(milliseconds{5});
  }
  const double cpu_switches = cpu_seconds() - cpu_before;
  close_all(shared, conns);
  pool.stop();

  // Every watcher x update pair; per switch, the latency of its last watcher.
  std::vector<std::int64_t> latency_us;
  std::vector<std::int64_t> stamp_lag_us;
  std::map<std::int64_t, std::int64_t> slowest_us;  // by version
  int mismatched = 0;
  long missing = 0;
  long out_of_order = 0;
  long unexpected = 0;
  for (const auto& c : conns) {
    if (!c->opened) continue;
    std::int64_t previous = 0;
    std::size_t matched = 0;
    for (const auto& u : c->updates) {
      if (u.version <= previous) ++out_of_order;
      previous = std::max(previous, u.version);
      stamp_lag_us.push_back(u.stamp_lag_ms * 1000);
      const auto it = sent_at.find(u.version);
      if (it == sent_at.end()) {
        ++unexpected;
        continue;
      }
      ++matched;
      const auto us =
          std::chrono::duration_cast<std::chrono::microseconds>(u.at - it->second).count();
      latency_us.push_back(us);
      auto& slowest = slowest_us[u.version];
      slowest = std::max(slowest, us);
    }
    std::vector<std::int64_t> got;
    got.reserve(c->updates.size());
    for (const auto& u : c->updates) got.push_back(u.version);
    if (got != versions) ++mismatched;
    missing += static_cast<long>(versions.size() - std::min(versions.size(), matched));
  }
  std::vector<std::int64_t> slowest;
  for (const auto& [v, us] : slowest_us) slowest.push_back(us);

  std::cout << "fanout: " << o.switches << " switches every " << o.interval_ms << " ms, "
            << failed_switches << " failed; switch round trip " << summary_ms(rtt_us) << "\n";
  std::cout << "fanout: delivery (STATE_UPDATE receipt - switch send), all watcher x update "
               "pairs: "
            << summary_ms(latency_us) << "\n";
  std::cout << "fanout: last watcher of each switch: " << summary_ms(slowest) << "\n";
  std::cout << "fanout: receipt wall clock - server timestamp (ms resolution): "
            << summary_ms(stamp_lag_us) << "\n";
  std::cout << "fanout: watchers with a wrong sequence " << mismatched << " (missing updates "
            << missing << ", out of order " << out_of_order << ", unexpected " << unexpected
            << "), dropped by the server " << shared.dropped << ", bad messages "
            << shared.bad_messages << std::endl;
  std::printf(
      "fanout: generator CPU from the first switch to the last delivery %.2f s (%.1f us "
      "per update received)\n",
      cpu_switches,
      latency_us.empty() ? 0.0 : cpu_switches * 1e6 / static_cast<double>(latency_us.size()));
  std::sort(latency_us.begin(), latency_us.end());
  std::printf(
      "RESULT mode=fanout watchers=%d opened=%d switches=%d failed_switches=%d pairs=%zu "
      "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f mismatched=%d missing=%ld "
      "out_of_order=%ld dropped=%d client_cpu_s=%.2f\n",
      o.watchers, opened, o.switches, failed_switches, latency_us.size(),
      ms(percentile(latency_us, 50)), ms(percentile(latency_us, 90)),
      ms(percentile(latency_us, 99)), ms(latency_us.empty() ? 0 : latency_us.back()), mismatched,
      missing, out_of_order, shared.dropped.load(), cpu_switches);
  return failed_switches == 0 && mismatched == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse_options(argc, argv);
  const rlim_t fds = raise_fd_limit();
  const int needed = (o.mode == "idle" ? o.connections : o.watchers) + 64;
  if (fds < static_cast<rlim_t>(needed)) {
    std::cerr << "sk_ws_load: warning: open-file limit " << fds << " < " << needed << "\n";
  }
  Watchdog watchdog(seconds{o.timeout_s});
  try {
    return o.mode == "idle" ? run_idle(o) : run_fanout(o);
  } catch (const std::exception& e) {
    std::cerr << "sk_ws_load: " << e.what() << "\n";
    return 1;
  }
}
