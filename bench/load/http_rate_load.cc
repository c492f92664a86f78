// sk_http_rate_load: an open-loop (fixed-rate) HTTP load generator for latency under
// a given load, where wrk measures latency at saturation. Never a test.
//
//   sk_http_rate_load --port P --rate R [--connections C] [--duration-s D]
//                     [--warmup-s W] [--sessions N] [--prefix PREFIX] [--mode switch|get]
//
// Why: wrk is closed-loop: each of its connections sends the next request as soon as
// the previous answer arrives, so it always runs the machine flat out, and its
// latencies are those of a saturated server (queueing in the run queue, not the
// server's own delay). Comparing two configurations that way compares their
// throughput, not what a client waits for at a given load. Here the requests follow
// a schedule: the k-th request overall is due at start + k / R, spread round-robin
// over C keep-alive connections (request k on connection k mod C), and each latency
// is measured from the request's DUE time, not from when it could be sent, so a
// stall delays the requests queued behind it and they count it (no "coordinated
// omission"). A connection has one request in flight at a time (HTTP/1.1, no
// pipelining); when it falls behind it sends at once.
//
// Requests: switch = POST /v1/sessions/<id>/switch (empty body), get = GET
// /v1/sessions/<id>; ids are PREFIX + %012x of 1..N, as bench/load/switch.lua and
// scripts/lib/loadtest.sh create them; connection i cycles through sessions i+1,
// i+1+C, ... (with N >= C, no two connections share a session).
//
// Everything goes to --host (default 127.0.0.1). One thread: the generator's own CPU
// is a single core's share at most. The last stdout line, starting with "RESULT", is
// key=value pairs for scripts (latencies in ms).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  double rate = 0;  // requests per second, all connections together
  int connections = 64;
  double duration_s = 10;
  double warmup_s = 2;  // sent and answered, not counted
  int sessions = 256;
  std::string prefix = "10ad0000-0000-4000-8000-";
  std::string mode = "switch";
};

struct Totals {
  std::vector<std::uint32_t> latencies_us;  // counted requests, from their due time
  std::uint64_t sent = 0;
  std::uint64_t non_2xx = 0;
  std::uint64_t errors = 0;          // connect, read or write failures
  Clock::duration worst_lateness{};  // how far behind schedule a send ever was
};

std::string request_text(const Options& o, int session) {
  char id[64];
  std::snprintf(id, sizeof id, "%s%012x", o.prefix.c_str(), static_cast<unsigned>(session));
  if (o.mode == "get") {
    return std::string("GET /v1/sessions/") + id + " HTTP/1.1\r\nHost: load\r\n\r\n";
  }
  return std::string("POST /v1/sessions/") + id +
         "/switch HTTP/1.1\r\nHost: load\r\nContent-Length: 0\r\n\r\n";
}

// Connection `index` of `o.connections`: sends requests index, index + C, index + 2C, ...
// of the schedule until the end of the run.
asio::awaitable<void> run_connection(const Options& o, int index, Clock::time_point start,
                                     Clock::time_point counted_from, Clock::time_point end,
                                     Totals& totals) {
  auto executor = co_await asio::this_coro::executor;
  tcp::socket socket(executor);
  const auto address = asio::ip::make_address(o.host);
  if (auto [ec] = co_await socket.async_connect({address, o.port}, kTuple); ec) {
    ++totals.errors;
    co_return;
  }
  socket.set_option(tcp::no_delay(true));
  std::vector<std::string> requests;
  for (int s = index; s < o.sessions || requests.empty(); s += o.connections) {
    requests.push_back(request_text(o, s % o.sessions + 1));
  }
  const auto interval =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / o.rate));
  asio::steady_timer timer(executor);
  beast::flat_buffer buffer;
  const auto step = static_cast<std::uint64_t>(o.connections);
  for (auto k = static_cast<std::uint64_t>(index);; k += step) {
    const Clock::time_point due = start + interval * static_cast<std::int64_t>(k);
    if (due >= end) break;
    if (due > Clock::now()) {
      timer.expires_at(due);
      co_await timer.async_wait(kTuple);
    } else {
      totals.worst_lateness = std::max(totals.worst_lateness, Clock::now() - due);
    }
    const std::string& request = requests[(k / step) % requests.size()];
    ++totals.sent;
    if (auto [ec, n] = co_await asio::async_write(socket, asio::buffer(request), kTuple); ec) {
      ++totals.errors;
      co_return;
    }
    http::response<http::string_body> response;
    if (auto [ec, n] = co_await http::async_read(socket, buffer, response, kTuple); ec) {
      ++totals.errors;
      co_return;
    }
    const auto done = Clock::now();
    if (response.result_int() / 100 != 2) ++totals.non_2xx;
    if (due >= counted_from) {
      totals.latencies_us.push_back(static_cast<std::uint32_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(done - due).count()));
    }
  }
}

double percentile_ms(const std::vector<std::uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)] / 1000.0;
}

int usage(const char* message) {
  std::fprintf(stderr,
               "sk_http_rate_load: %s\nusage: sk_http_rate_load --port P --rate R "
               "[--connections C] [--duration-s D] [--warmup-s W] [--sessions N] "
               "[--prefix PREFIX] [--mode switch|get] [--host H]\n",
               message);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return usage(("missing value for " + flag).c_str());
    const std::string value = argv[i + 1];
    if (flag == "--port") {
      o.port = static_cast<std::uint16_t>(std::atoi(value.c_str()));
    } else if (flag == "--host") {
      o.host = value;
    } else if (flag == "--rate") {
      o.rate = std::atof(value.c_str());
    } else if (flag == "--connections") {
      o.connections = std::atoi(value.c_str());
    } else if (flag == "--duration-s") {
      o.duration_s = std::atof(value.c_str());
    } else if (flag == "--warmup-s") {
      o.warmup_s = std::atof(value.c_str());
    } else if (flag == "--sessions") {
      o.sessions = std::atoi(value.c_str());
    } else if (flag == "--prefix") {
      o.prefix = value;
    } else if (flag == "--mode") {
      o.mode = value;
    } else {
      return usage(("unknown option " + flag).c_str());
    }
  }
  if (o.port == 0 || o.rate <= 0 || o.connections < 1 || o.sessions < 1 || o.duration_s <= 0 ||
      o.warmup_s < 0 || (o.mode != "switch" && o.mode != "get")) {
    return usage("bad or missing options");
  }

  asio::io_context io(1);
  Totals totals;
  totals.latencies_us.reserve(static_cast<std::size_t>(o.rate * o.duration_s * 1.1) + 16);
  // Connections open during the first 200 ms; the schedule starts after that.
  const auto start = Clock::now() + std::chrono::milliseconds(200);
  const auto seconds = [](double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  };
  const auto counted_from = start + seconds(o.warmup_s);
  const auto end = counted_from + seconds(o.duration_s);
  for (int i = 0; i < o.connections; ++i) {
    asio::co_spawn(io, run_connection(o, i, start, counted_from, end, totals), asio::detached);
  }
  io.run();

  auto& l = totals.latencies_us;
  std::sort(l.begin(), l.end());
  const double achieved = static_cast<double>(l.size()) / o.duration_s;
  const double lateness_ms =
      std::chrono::duration<double, std::milli>(totals.worst_lateness).count();
  std::printf(
      "%s at %.0f req/s over %d connections for %.1f s (after %.1f s of warm-up): %zu "
      "counted, %.0f req/s answered\n"
      "latency from the due time: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, "
      "max %.3f ms\n"
      "non-2xx %llu, socket errors %llu, worst lateness of a send %.3f ms\n",
      o.mode.c_str(), o.rate, o.connections, o.duration_s, o.warmup_s, l.size(), achieved,
      percentile_ms(l, 0.50), percentile_ms(l, 0.90), percentile_ms(l, 0.99),
      percentile_ms(l, 0.999), l.empty() ? 0.0 : l.back() / 1000.0,
      static_cast<unsigned long long>(totals.non_2xx),
      static_cast<unsigned long long>(totals.errors), lateness_ms);
  std::printf(
      "RESULT mode=%s rate=%.0f connections=%d counted=%zu achieved=%.0f p50=%.3f p90=%.3f "
      "p99=%.3f p999=%.3f max=%.3f non2xx=%llu errors=%llu\n",
      o.mode.c_str(), o.rate, o.connections, l.size(), achieved, percentile_ms(l, 0.50),
      percentile_ms(l, 0.90), percentile_ms(l, 0.99), percentile_ms(l, 0.999),
      l.empty() ? 0.0 : l.back() / 1000.0, static_cast<unsigned long long>(totals.non_2xx),
      static_cast<unsigned long long>(totals.errors));
  return totals.errors == 0 && totals.non_2xx == 0 ? 0 : 1;
}
