#include "server/http/router.h"

#include <charconv>
#include <optional>
#include <vector>

#include <boost/beast/http/field.hpp>

#include "audit/queue/audit_queue.h"
#include "domain/json.h"
#include "server/http/asset_response.h"
#include "server/http/openapi.h"

namespace sk::server::http {

namespace asio = boost::asio;
using beast_http::field;
using beast_http::status;
using beast_http::verb;

namespace {

// The value of `key` in a query string ("a=1&b=2"), if present.
std::optional<std::string_view> query_param(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    }
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

bool is_json(const Request& req) {
  const auto type = req[field::content_type];
  const auto semi = type.find(';');
  std::string_view media = type.substr(0, semi);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  if (media.size() != 16) return false;
  for (std::size_t i = 0; i < 16; ++i) {
    if (std::tolower(static_cast<unsigned char>(media[i])) != "application/json"[i]) return false;
  }
  return true;
}

// A body, if any, must be declared JSON.
std::optional<domain::Error> check_body(const Request& req) {
  if (!req.body().empty() && !is_json(req)) {
    return domain::Error::validation("Content-Type", "must be application/json");
  }
  return std::nullopt;
}

std::string_view path_of(const Request& req) {
  const std::string_view target = req.target();
  return target.substr(0, target.find('?'));
}

// 404 NOT_FOUND for a path no route serves.
Response route_not_found(const Request& req) {
  return error_response(
      req, status::not_found, "NOT_FOUND",
      "no route for " + std::string{req.method_string()} + " " + std::string{path_of(req)});
}

// 405 for a known path asked with a method it does not serve.
Response method_not_allowed(const Request& req, Route route) {
  auto res = error_response(
      req, status::method_not_allowed, "METHOD_NOT_ALLOWED",
      std::string{req.method_string()} + " is not served on " + std::string{path_of(req)});
  res.set(field::allow, allow_header(route));
  return res;
}

// The commands of /v1/sessions/:id/{start,pause,resume,complete,cancel}.
domain::Command bodiless_command(std::string_view action) {
  if (action == "start") return domain::StartCommand{};
  if (action == "pause") return domain::PauseCommand{};
  if (action == "resume") return domain::ResumeCommand{};
  if (action == "complete") return domain::CompleteCommand{};
  return domain::CancelCommand{};
}

// These actions take no body: only nothing or an empty JSON object is accepted.
bool empty_body(const Request& req) {
  std::string compact{req.body()};
  std::erase_if(compact, [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
  return compact.empty() || compact == "{}";
}

// SPEC §5: a session restored from the audit trail says so, in every response shape.
std::string marked(std::string json, bool recovered) {
  if (recovered && !json.empty() && json.back() == '}') {
    json.pop_back();
    json.append(R"(,"recovered":true})");
  }
  return json;
}

std::string session_json(const SessionSnapshot& s) {
  std::string out;
  out.reserve(1024);
  domain::append_session_json(out, s.state, s.live);
  return marked(std::move(out), s.recovered);
}

std::string switch_json(const SessionSnapshot& s) {
  std::optional<domain::Uuid> expired;
  if (!s.expiries.empty()) expired = s.expiries.front().participant_id;
  return marked(domain::encode_switch_result(s.state, s.live, expired), s.recovered);
}

// Every route but these is a session route: authenticated (when auth is on) and
// rate-limited. These stay open so that probes, scrapers and clock sync never need a
// token or compete with clients for a budget (SPEC §7).
bool is_open_route(Route route) {
  switch (route) {
    case Route::health:
    case Route::ready:
    case Route::metrics:
    case Route::openapi:
    case Route::docs:
    case Route::time: return true;
    default: return false;
  }
}

auth::Action action_of(Route route, verb method) {
  switch (route) {
    case Route::sessions: return auth::Action::create;
    case Route::session: return method == verb::delete_ ? auth::Action::remove : auth::Action::read;
    case Route::switch_turn: return auth::Action::switch_turn;
    default: return auth::Action::control;
  }
}

// The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers), on every
// response a limit was counted for, and Retry-After on a refusal.
void add_rate_headers(Response& res, const limits::RateDecision& d) {
  res.set("RateLimit-Limit", std::to_string(d.limit));
  res.set("RateLimit-Remaining", std::to_string(d.remaining));
  res.set("RateLimit-Reset", std::to_string(d.reset_s));
  if (!d.allowed)
    res.set(field::retry_after, std::to_string(std::max<std::int64_t>(1, d.retry_after_s)));
}

}  // namespace

Router::Router(SessionApi& sessions, Metrics& metrics, ChangeWaiter& waiter, IdGenerator& ids,
               RouterOptions options)
    : sessions_(sessions),
      metrics_(metrics),
      waiter_(waiter),
      ids_(ids),
      options_(std::move(options)) {}

void Router::add_cors(Response& res) const {
  if (options_.cors_origin.empty()) return;
  res.set(field::access_control_allow_origin, options_.cors_origin);
  res.set(field::access_control_allow_methods, "GET, POST, DELETE, OPTIONS");
  res.set(field::access_control_allow_headers, "Content-Type, Authorization");
  res.set(field::access_control_max_age, "600");
  res.set(field::access_control_expose_headers,
          "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, Location");
  if (options_.cors_origin != "*") res.set(field::vary, "Origin");
}

asio::awaitable<Admission> Router::admit(const Request& req, const RouteMatch& route,
                                         asio::ip::address peer) {
  if (!options_.guard || is_open_route(route.route)) co_return Admission{};
  const auto& guard = *options_.guard;
  Entry entry;
  entry.token = bearer_token(req[field::authorization]);
  entry.client = client_address(peer, req["X-Forwarded-For"], guard.trusted_proxies());
  entry.action = action_of(route.route, req.method());
  if (!route.id.empty()) entry.session = domain::Uuid::parse(route.id);
  entry.writes = req.method() != verb::get;
  entry.what = route.pattern;
  co_return co_await guard.admit(entry);
}

asio::awaitable<Admission> Router::admit_upgrade(const Request& req, asio::ip::address peer) {
  if (!options_.guard) co_return Admission{};
  const auto& guard = *options_.guard;
  const std::string_view target = req.target();
  const auto qmark = target.find('?');
  const std::string_view query =
      qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);
  Entry entry;
  // Browsers cannot set headers on a WebSocket: the token rides in the query string.
  entry.token = query_param(query, "token").value_or(bearer_token(req[field::authorization]));
  entry.client = client_address(peer, req["X-Forwarded-For"], guard.trusted_proxies());
  entry.action = auth::Action::read;
  if (const auto id = query_param(query, "sessionId")) entry.session = domain::Uuid::parse(*id);
  entry.ws_connect = true;
  entry.what = "/ws";
  // (A sessionId that is missing or not a UUID is refused by the hub with 1008, ahead
  // of what auth says.)
  co_return co_await guard.admit(entry);
}

Response Router::upgrade_refusal(const Request& req, const Admission& admission) const {
  auto res = error_response(req, *admission.refused);
  res.keep_alive(false);
  if (admission.rate) add_rate_headers(res, *admission.rate);
  add_cors(res);
  return res;
}

asio::awaitable<Response> Router::handle(Request request, asio::ip::address peer) {
  const auto& clock = sessions_.clock();
  const auto started = clock.steady_now();
  const std::string_view target = request.target();
  const auto qmark = target.find('?');
  const auto route = match_route(target.substr(0, qmark));
  const std::string_view query =
      qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);
  Response res;
  std::string_view label = route ? route->pattern : "unmatched";
  try {
    if (request.method() == verb::options) {  // CORS preflight for any path
      res = Response{status::no_content, request.version()};
      res.keep_alive(request.keep_alive());
    } else if (const auto* asset = find_asset(request, route.has_value())) {
      res = asset_response(request, *asset);
      label = "static";
    } else if (!route) {
      res = route_not_found(request);
    } else if (!allows(route->route, request.method())) {
      res = method_not_allowed(request, route->route);
    } else if (!route->id.empty() && !domain::Uuid::parse(route->id)) {
      // Before the guard: a path that names no session is refused for what it is.
      res = error_response(request, domain::Error::validation("session_id", "must be a UUID"));
    } else {
      const auto admission = co_await admit(request, *route, peer);
      if (admission.refused) {
        res = error_response(request, *admission.refused);
        if (admission.refused->code == domain::ErrorCode::unauthorized) {
          res.set(field::www_authenticate, R"(Bearer error="invalid_token")");
        }
      } else {
        res = co_await dispatch(request, *route, query, admission);
      }
      if (admission.rate) add_rate_headers(res, *admission.rate);
    }
  } catch (const std::exception&) {
    // A bug, not an expected failure: answer 500 without details.
    res = error_response(request, domain::Error::internal());
  }
  add_cors(res);
  // Label values from fixed sets only: the route's pattern (never the raw path) and
  // the method as Metrics names it (unknown ones are OTHER).
  metrics_.observe_request(request.method_string(), label, res.result_int(),
                           clock.steady_now() - started);
  co_return res;
}

asio::awaitable<Response> Router::dispatch(const Request& req, const RouteMatch& route,
                                           std::string_view query, const Admission& admission) {
  switch (route.route) {
    case Route::health: co_return json_response(req, status::ok, R"({"status":"ok"})");
    case Route::ready: co_return co_await ready(req);
    case Route::metrics: co_return co_await metrics_text(req);
    case Route::openapi: co_return json_response(req, status::ok, std::string{openapi_json()});
    case Route::docs: {
      Response res{status::ok, req.version()};
      res.set(field::content_type, "text/html; charset=utf-8");
      res.keep_alive(req.keep_alive());
      res.body() = std::string{api_docs_html()};
      res.prepare_payload();
      co_return res;
    }
    case Route::time: co_return time(req);
    case Route::sessions: co_return co_await create(req);
    default: break;
  }
  const auto id = domain::Uuid::parse(route.id);  // checked by handle()
  if (!id) co_return error_response(req, domain::Error::validation("session_id", "must be a UUID"));
  if (route.route == Route::session) {
    if (req.method() == verb::get) co_return co_await get_session(req, *id, query);
    co_return co_await remove(req, *id);
  }
  if (route.route == Route::share) co_return co_await share(req, *id);
  co_return co_await session_command(req, route, *id, admission);
}

const web::WebAsset* Router::find_asset(const Request& req, bool is_api_route) const {
  if (!options_.web || is_api_route) return nullptr;
  if (req.method() != verb::get && req.method() != verb::head) return nullptr;
  return options_.web->find(path_of(req));
}

asio::awaitable<Response> Router::share(const Request& req, const domain::Uuid& id) {
  if (!empty_body(req)) {
    co_return error_response(req, domain::Error::validation("body", "must be empty"));
  }
  auto found = co_await sessions_.get(id);
  if (!found) co_return error_response(req, found.error());
  std::vector<domain::Uuid> players;
  for (const auto& p : found->state.participants) players.push_back(p.participant_id);
  std::optional<auth::ShareTokens> tokens;
  if (options_.auth_required && options_.share_issuer) {
    const auto now_s = domain::to_unix_ms(sessions_.clock().wall_now()) / 1000;
    tokens = options_.share_issuer->issue(id, players, ids_.next(), now_s);
  }
  // A token as a JSON string, or null when this server issues none.
  const auto append_token = [](std::string& out, const std::string* token) {
    if (token) {
      domain::append_json_string(out, *token);
    } else {
      out += "null";
    }
  };
  std::string out = R"({"session_id":")" + id.to_string() + R"(","auth":)";
  out += options_.auth_required ? "true" : "false";
  out += R"(,"can_mint":)";
  out += !options_.auth_required || options_.share_issuer ? "true" : "false";
  out += R"(,"expires_at":)";
  if (tokens) {
    out += '"';
    domain::append_iso8601(out, domain::TimePoint{std::chrono::seconds{tokens->expires_at_s}});
    out += '"';
  } else {
    out += "null";
  }
  out += R"(,"host":{"token":)";
  append_token(out, tokens ? &tokens->host : nullptr);
  out += R"(},"viewer":{"token":)";
  append_token(out, tokens ? &tokens->viewer : nullptr);
  out += R"(},"participants":[)";
  for (std::size_t i = 0; i < players.size(); ++i) {
    if (i != 0) out += ',';
    out += R"({"participant_id":")" + players[i].to_string() + R"(","token":)";
    append_token(out, tokens ? &tokens->participants[i].second : nullptr);
    out += '}';
  }
  out += "]}";
  co_return data_response(req, status::ok, out);
}

Response Router::time(const Request& req) const {
  // Flat, not wrapped in "data": the original's clock-sync clients read
  // body.timestamp_ms (SPEC §3).
  const auto now = domain::to_unix_ms(sessions_.clock().wall_now());
  std::string body = R"({"timestamp_ms":)" + std::to_string(now) + R"(,"server_version":)";
  domain::append_json_string(body, options_.server_version);
  body += R"(,"drift_tolerance_ms":)" + std::to_string(options_.drift_tolerance_ms) + "}";
  return json_response(req, status::ok, std::move(body));
}

asio::awaitable<Response> Router::create(const Request& req) {
  if (auto err = check_body(req)) co_return error_response(req, *err);
  auto request = domain::decode_create_request(req.body(), options_.max_body_bytes);
  if (!request) co_return error_response(req, request.error());
  const auto id = request->session_id.value_or(ids_.next());
  auto created = co_await sessions_.create(std::move(*request), id);
  if (!created) co_return error_response(req, created.error());
  auto res = data_response(req, status::created, session_json(*created));
  res.set(field::location, "/v1/sessions/" + id.to_string());
  co_return res;
}

asio::awaitable<Response> Router::remove(const Request& req, const domain::Uuid& id) {
  auto removed = co_await sessions_.remove(id);
  if (!removed) co_return error_response(req, removed.error());
  Response res{status::no_content, req.version()};
  res.keep_alive(req.keep_alive());
  co_return res;
}

asio::awaitable<Response> Router::session_command(const Request& req, const RouteMatch& route,
                                                  const domain::Uuid& id,
                                                  const Admission& admission) {
  std::optional<domain::Uuid> pid;
  if (route.route == Route::participant || route.route == Route::participant_time) {
    pid = domain::Uuid::parse(route.pid);
    if (!pid) {
      co_return error_response(req, domain::Error::validation("participant_id", "must be a UUID"));
    }
  }
  if (req.method() == verb::post) {
    if (auto err = check_body(req)) co_return error_response(req, *err);
  }

  domain::Command command;
  switch (route.route) {
    case Route::switch_turn: {
      auto cmd = domain::decode_switch_request(req.body(), options_.max_body_bytes);
      if (!cmd) co_return error_response(req, cmd.error());
      if (const auto& self = admission.acting_participant) {
        // A participant speaks only for itself: naming another as the one whose turn
        // ends would be acting for it.
        if (cmd->current_participant_id && *cmd->current_participant_id != *self) {
          co_return error_response(
              req, domain::Error::forbidden("a participant may switch only for itself"));
        }
        cmd->acting_participant_id = *self;
      }
      auto r = co_await sessions_.execute(id, *cmd);
      if (!r) co_return error_response(req, r.error());
      co_return data_response(req, status::ok, switch_json(*r));
    }
    case Route::participants: {
      auto cmd = domain::decode_add_participant_request(req.body(), options_.max_body_bytes);
      if (!cmd) co_return error_response(req, cmd.error());
      command = *cmd;
      break;
    }
    case Route::participant: command = domain::RemoveParticipantCommand{*pid}; break;
    case Route::participant_time: {
      auto cmd = domain::decode_adjust_time_request(req.body(), *pid, options_.max_body_bytes);
      if (!cmd) co_return error_response(req, cmd.error());
      command = *cmd;
      break;
    }
    default:  // Route::session_action
      if (!empty_body(req)) {
        co_return error_response(
            req, domain::Error::validation("", "this action takes no request body"));
      }
      command = bodiless_command(route.action);
      break;
  }
  auto r = co_await sessions_.execute(id, std::move(command));
  if (!r) co_return error_response(req, r.error());
  co_return data_response(req, status::ok, session_json(*r));
}

asio::awaitable<Response> Router::get_session(const Request& req, const domain::Uuid& id,
                                              std::string_view query) {
  std::optional<std::int64_t> since;
  std::chrono::milliseconds wait{0};
  std::vector<domain::FieldViolation> violations;
  if (const auto v = query_param(query, "since_version")) {
    since = parse_int(*v);
    if (!since || *since < 0) violations.push_back({"since_version", "must be an integer >= 0"});
  }
  if (const auto w = query_param(query, "wait_ms")) {
    const auto ms = parse_int(*w);
    if (!ms || *ms < 0 || *ms > options_.max_long_poll.count()) {
      violations.push_back({"wait_ms", "must be an integer between 0 and " +
                                           std::to_string(options_.max_long_poll.count())});
    } else {
      wait = std::chrono::milliseconds{*ms};
    }
  }
  if (!violations.empty()) co_return error_response(req, domain::Error::validation(violations));

  // A long poll listens before it reads: a change between the read and the wait
  // then ends the wait at once instead of being slept through.
  std::optional<ChangeWaiter::Ticket> ticket;
  if (since && wait.count() > 0) {
    const auto executor = co_await asio::this_coro::executor;
    ticket.emplace(waiter_.listen(id, executor));
  }
  auto s = co_await sessions_.get(id);
  if (!s) co_return error_response(req, s.error());
  if (ticket && s->state.version <= *since) {
    co_await ticket->wait(wait);
    s = co_await sessions_.get(id);
    if (!s) co_return error_response(req, s.error());
  }
  if (since && s->state.version <= *since) {
    Response res{status::not_modified, req.version()};
    res.keep_alive(req.keep_alive());
    co_return res;
  }
  co_return data_response(req, status::ok, session_json(*s));
}

asio::awaitable<Response> Router::metrics_text(const Request& req) {
  const auto n = co_await sessions_.session_count();
  if (n) metrics_.set_active_sessions(*n);
  if (options_.audit.queue) {
    const auto stats = co_await options_.audit.queue->stats();
    if (stats) metrics_.set_audit_queue(*stats);
  }
  if (options_.audit.database_up) metrics_.set_audit_database_up(options_.audit.database_up());
  Response res{status::ok, req.version()};
  res.set(field::content_type, "text/plain; version=0.0.4");
  res.keep_alive(req.keep_alive());
  res.body() = metrics_.serialize();
  res.prepare_payload();
  co_return res;
}

asio::awaitable<Response> Router::ready(const Request& req) {
  // (Awaited into a local first: GCC 12 miscompiles co_await inside an if condition.)
  const bool store_up = co_await sessions_.store_healthy();
  // SPEC §7: ready means the store and the audit database are reachable. (Requests
  // are served either way: the hot path never waits for the audit database.)
  const bool audit_up = !options_.audit.database_up || options_.audit.database_up();
  if (store_up && audit_up) {
    co_return json_response(req, status::ok, R"({"status":"ready"})");
  }
  std::string body = R"({"status":"not_ready")";
  if (!store_up) body.append(R"(,"store":"unavailable")");
  if (!audit_up) body.append(R"(,"audit_database":"unavailable")");
  body.push_back('}');
  co_return json_response(req, status::service_unavailable, body);
}

}  // namespace sk::server::http
