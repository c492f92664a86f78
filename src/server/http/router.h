// The REST API of SPEC §3: maps one parsed request to one response, without touching
// a socket, so it can be tested alone (router_test.cc, against a stub SessionApi).
// Paths and their methods come from routes.h; every route's errors go through
// responses.h; nothing thrown escapes handle().
#pragma once

#include <chrono>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "domain/limits.h"
#include "server/audit_link.h"
#include "server/http/change_waiter.h"
#include "server/http/responses.h"
#include "server/http/routes.h"
#include "server/id_generator.h"
#include "server/metrics.h"
#include "server/session_api.h"

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
  Router(SessionApi& sessions, Metrics& metrics, ChangeWaiter& waiter, IdGenerator& ids,
         RouterOptions options);

  boost::asio::awaitable<Response> handle(Request request);

 private:
  boost::asio::awaitable<Response> dispatch(const Request& req, const RouteMatch& route,
                                            std::string_view query);
  boost::asio::awaitable<Response> create(const Request& req);
  boost::asio::awaitable<Response> session_command(const Request& req, const RouteMatch& route,
                                                   const domain::Uuid& id);
  boost::asio::awaitable<Response> get_session(const Request& req, const domain::Uuid& id,
                                               std::string_view query);
  boost::asio::awaitable<Response> remove(const Request& req, const domain::Uuid& id);
  boost::asio::awaitable<Response> metrics_text(const Request& req);
  boost::asio::awaitable<Response> ready(const Request& req);
  Response time(const Request& req) const;
  void add_cors(Response& res) const;

  SessionApi& sessions_;
  Metrics& metrics_;
  ChangeWaiter& waiter_;
  IdGenerator& ids_;
  RouterOptions options_;
};

}  // namespace sk::server::http
