// The REST API of SPEC §3: maps one parsed request to one response, without touching
// a socket, so it can be tested alone. Every route's errors go through
// responses.h; nothing thrown escapes handle().
#pragma once

#include <span>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "domain/limits.h"
#include "server/audit_link.h"
#include "server/http/change_waiter.h"
#include "server/http/responses.h"
#include "server/id_generator.h"
#include "server/metrics.h"
#include "server/session_service.h"
#include "store/session_store.h"

namespace sk::server::http {

struct RouterOptions {
  std::string cors_origin = "*";  // empty: no CORS headers
  std::size_t max_body_bytes = domain::limits::kMaxBodyBytes;
  std::string server_version = "0.0.0";
  std::int64_t drift_tolerance_ms = 50;  // what /v1/time tells clients to tolerate
  std::chrono::milliseconds max_long_poll{30'000};
  AuditLink audit;  // empty: no audit database
};

class Router {
 public:
  Router(SessionService& service, store::SessionStore& store, Metrics& metrics,
         ChangeWaiter& waiter, IdGenerator& ids, RouterOptions options);

  boost::asio::awaitable<Response> handle(Request request);

 private:
  // `pattern` receives the route pattern for metrics ("/v1/sessions/:id/switch"),
  // never the raw path, so the number of series stays bounded.
  boost::asio::awaitable<Response> dispatch(const Request& req, std::string_view& pattern);
  boost::asio::awaitable<Response> session_route(const Request& req,
                                                 std::span<const std::string_view> parts,
                                                 std::string_view query, std::string_view& pattern);
  boost::asio::awaitable<Response> get_session(const Request& req, const domain::Uuid& id,
                                               std::string_view query);
  boost::asio::awaitable<Response> ready(const Request& req);
  void add_cors(Response& res) const;

  SessionService& service_;
  store::SessionStore& store_;
  Metrics& metrics_;
  ChangeWaiter& waiter_;
  IdGenerator& ids_;
  RouterOptions options_;
};

}  // namespace sk::server::http
