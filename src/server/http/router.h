// The REST API of SPEC §3: maps one parsed request to one response, without touching
// a socket, so it can be tested alone (router_test.cc, against a stub SessionApi).
// Paths and their methods come from routes.h; every route's errors go through
// responses.h; nothing thrown escapes handle().
#pragma once

#include <chrono>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include "domain/limits.h"
#include "server/audit_link.h"
#include "server/auth/share_tokens.h"
#include "server/http/change_waiter.h"
#include "server/http/request_guard.h"
#include "server/http/responses.h"
#include "server/http/routes.h"
#include "server/id_generator.h"
#include "server/metrics.h"
#include "server/session_api.h"
#include "server/web/web_assets.h"

namespace sk::server::http {

struct RouterOptions {
  std::string cors_origin = "*";  // empty: no CORS headers
  std::size_t max_body_bytes = domain::limits::kMaxBodyBytes;
  std::string server_version = "0.0.0";
  std::int64_t drift_tolerance_ms = 50;  // what /v1/time tells clients to tolerate
  std::chrono::milliseconds max_long_poll{30'000};
  AuditLink audit;  // empty: no audit database
  // Auth and rate limits of the session routes; null: neither (owned by the Server).
  const RequestGuard* guard = nullptr;
  // The web page and SDK served on GET/HEAD of paths no route has; null: none.
  const web::WebAssets* web = nullptr;
  // POST /v1/sessions/:id/share: whether tokens are required, and who issues them
  // (null: this server verifies tokens it cannot sign).
  bool auth_required = false;
  const auth::ShareTokenIssuer* share_issuer = nullptr;
};

class Router {
 public:
  Router(SessionApi& sessions, Metrics& metrics, ChangeWaiter& waiter, IdGenerator& ids,
         RouterOptions options);

  // `peer`: the socket's remote address (the client, or a trusted proxy before it).
  boost::asio::awaitable<Response> handle(Request request, boost::asio::ip::address peer = {});
  // A WebSocket upgrade of /ws?sessionId=...: its token (the `token` query parameter,
  // or an Authorization header) checked for reading that session, and the
  // per-address connect limit. An empty admission when there is no guard.
  boost::asio::awaitable<Admission> admit_upgrade(const Request& request,
                                                  boost::asio::ip::address peer);
  // The response for a refused upgrade answered over HTTP (429, 503), with its
  // rate-limit headers and CORS.
  Response upgrade_refusal(const Request& request, const Admission& admission) const;

 private:
  // The guard's verdict on a session route; an admission without a refusal for the
  // open routes (health, ready, metrics, time, the API description).
  boost::asio::awaitable<Admission> admit(const Request& req, const RouteMatch& route,
                                          boost::asio::ip::address peer);
  boost::asio::awaitable<Response> dispatch(const Request& req, const RouteMatch& route,
                                            std::string_view query, const Admission& admission);
  boost::asio::awaitable<Response> create(const Request& req);
  boost::asio::awaitable<Response> session_command(const Request& req, const RouteMatch& route,
                                                   const domain::Uuid& id,
                                                   const Admission& admission);
  boost::asio::awaitable<Response> get_session(const Request& req, const domain::Uuid& id,
                                               std::string_view query);
  boost::asio::awaitable<Response> remove(const Request& req, const domain::Uuid& id);
  boost::asio::awaitable<Response> metrics_text(const Request& req);
  boost::asio::awaitable<Response> ready(const Request& req);
  boost::asio::awaitable<Response> share(const Request& req, const domain::Uuid& id);
  // The web page's file for a GET/HEAD of a path that is not the API's, or null.
  const web::WebAsset* find_asset(const Request& req, bool is_api_route) const;
  Response time(const Request& req) const;
  void add_cors(Response& res) const;

  SessionApi& sessions_;
  Metrics& metrics_;
  ChangeWaiter& waiter_;
  IdGenerator& ids_;
  RouterOptions options_;
};

}  // namespace sk::server::http
