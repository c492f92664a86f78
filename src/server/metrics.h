// Prometheus metrics of one instance (SPEC §7), served as text at GET /metrics on
// the main port. Thread-safe: prometheus-cpp counters, gauges and histograms are
// atomic. Families are created once here; hot paths only touch prepared series.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace prometheus {
class Registry;
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace sk::audit {
struct QueueStats;
}  // namespace sk::audit

namespace sk::server {

// A resource cap that refused something (docs/design.md, Resource caps).
enum class Limit : std::uint8_t {
  // A new connection, answered 503 / 429 and closed: connections_rejected_total{reason}.
  connections_total,
  connections_per_ip,
  // The rest: limits_exceeded_total{limit}.
  header_fields,     // 431, closed
  header_bytes,      // 431, closed
  request_timeout,   // a request not read in time (slow client): dropped
  request_rate,      // 429 on a keep-alive connection
  ws_message_rate,   // WebSocket closed 1008
  ws_message_bytes,  // WebSocket closed 1009
};
inline constexpr std::size_t kLimitCount = 8;
static_assert(static_cast<std::size_t>(Limit::ws_message_bytes) + 1 == kLimitCount);

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // `route` is the route pattern (e.g. "/v1/sessions/:id/switch"), never a raw path,
  // and a method outside GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH is counted as
  // OTHER, so the number of series stays bounded whatever clients send.
  void observe_request(std::string_view method, std::string_view route, unsigned status,
                       std::chrono::nanoseconds latency);
  void set_active_sessions(std::int64_t n);
  void websocket_opened();
  void websocket_closed();
  void websocket_dropped_slow();  // a client whose send queue overflowed
  void timeout_fired(std::chrono::milliseconds lag_behind_deadline);
  void fanout_delivered(std::chrono::nanoseconds latency);
  void store_error();
  // The store was found to have lost acknowledged writes (issue 16).
  void store_rolled_back();
  void set_audit_queue(const audit::QueueStats& stats);
  void set_audit_database_up(bool up);
  void session_recovered();
  // A command lost a compare-and-set race to another instance and is tried again.
  void command_retried();
  // A dependency (a name from a fixed set: "redis", "postgres", "sqlite")
  // was lost or came back: counted once per transition.
  void dependency_changed(std::string_view dependency, bool up);
  // A request or WebSocket refused by auth. `reason` from a fixed set: "missing_token",
  // a token problem ("expired", "bad_signature", ...) or "forbidden".
  void auth_denied(std::string_view reason);
  // A request refused by a rate limit (`limit`: "client", "switch", "ws_connect").
  void rate_limited(std::string_view limit);
  // The shared limiter could not be reached: the request was let through (a read) or
  // answered 503 (a write).
  void rate_limiter_unavailable();
  // The configured limit, so dashboards show what the counters are measured against.
  void set_rate_limit(std::string_view limit, std::int64_t requests,
                      std::chrono::milliseconds window);

  void limit_hit(Limit limit);
  // synckairos_connections_open is read from `open` at every serialize(). `open`
  // must stay valid as long as this object (ConnectionLimits::open_reader() does).
  void read_open_connections_from(std::function<std::size_t()> open);

  std::string serialize() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sk::server
