#include "server/http/router.h"

#include <charconv>
#include <chrono>
#include <optional>
#include <vector>

#include <boost/beast/http/field.hpp>

#include "audit/queue/audit_queue.h"
#include "domain/json.h"
#include "server/http/openapi.h"

namespace sk::server::http {

namespace asio = boost::asio;
using beast_http::field;
using beast_http::status;
using beast_http::verb;

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const auto end = path.find('/');
    parts.push_back(path.substr(0, end));
    path = end == std::string_view::npos ? std::string_view{} : path.substr(end);
  }
  return parts;
}

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

// 404 NOT_FOUND for a method and path no route serves.
Response route_not_found(const Request& req) {
  const std::string_view target = req.target();
  return error_response(req, status::not_found, "NOT_FOUND",
                        "no route for " + std::string{req.method_string()} + " " +
                            std::string{target.substr(0, target.find('?'))});
}

// The state transitions that take no request body.
struct BodilessAction {
  std::string_view name;
  std::string_view pattern;
  domain::Command command;
};

const BodilessAction* find_bodiless_action(std::string_view name) {
  static const BodilessAction kActions[] = {
      {"start", "/v1/sessions/:id/start", domain::StartCommand{}},
      {"pause", "/v1/sessions/:id/pause", domain::PauseCommand{}},
      {"resume", "/v1/sessions/:id/resume", domain::ResumeCommand{}},
      {"complete", "/v1/sessions/:id/complete", domain::CompleteCommand{}},
      {"cancel", "/v1/sessions/:id/cancel", domain::CancelCommand{}},
  };
  for (const auto& a : kActions) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

std::optional<domain::Uuid> path_id(std::string_view text) { return domain::Uuid::parse(text); }

std::string session_json(const SessionSnapshot& s) {
  std::string out;
  out.reserve(1024);
  domain::append_session_json(out, s.state, s.live);
  if (s.recovered && !out.empty() && out.back() == '}') {
    out.pop_back();  // SPEC §5: a session restored from the audit trail says so
    out.append(R"(,"recovered":true})");
  }
  return out;
}

}  // namespace

Router::Router(SessionService& service, store::SessionStore& store, Metrics& metrics,
               ChangeWaiter& waiter, IdGenerator& ids, RouterOptions options)
    : service_(service),
      store_(store),
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
  if (options_.cors_origin != "*") res.set(field::vary, "Origin");
}

asio::awaitable<Response> Router::handle(Request request) {
  const auto started = std::chrono::steady_clock::now();
  std::string_view pattern = "unmatched";
  Response res;
  try {
    res = co_await dispatch(request, pattern);
  } catch (const std::exception&) {
    // A bug, not an expected failure: answer 500 without details.
    res = error_response(request, domain::Error::internal());
  }
  add_cors(res);
  metrics_.observe_request(request.method_string(), pattern, res.result_int(),
                           std::chrono::steady_clock::now() - started);
  co_return res;
}

asio::awaitable<Response> Router::dispatch(const Request& req, std::string_view& pattern) {
  const std::string_view target = req.target();
  const auto qmark = target.find('?');
  const std::string_view path = target.substr(0, qmark);
  const std::string_view query =
      qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);
  const auto parts = split_path(path);
  const verb method = req.method();

  if (method == verb::options) {  // CORS preflight for any route
    pattern = "OPTIONS";
    Response res{status::no_content, req.version()};
    res.keep_alive(req.keep_alive());
    co_return res;
  }

  if (parts.size() == 1 && method == verb::get) {
    if (parts[0] == "health") {
      pattern = "/health";
      co_return json_response(req, status::ok, R"({"status":"ok"})");
    }
    if (parts[0] == "ready") {
      pattern = "/ready";
      co_return co_await ready(req);
    }
    if (parts[0] == "metrics") {
      pattern = "/metrics";
      const auto n = co_await store_.count();
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
    if (parts[0] == "openapi.json") {
      pattern = "/openapi.json";
      co_return json_response(req, status::ok, std::string{openapi_json()});
    }
    if (parts[0] == "docs") {
      pattern = "/docs";
      Response res{status::ok, req.version()};
      res.set(field::content_type, "text/html; charset=utf-8");
      res.keep_alive(req.keep_alive());
      res.body() = std::string{api_docs_html()};
      res.prepare_payload();
      co_return res;
    }
  }

  if (parts.size() >= 2 && parts[0] == "v1") {
    if (parts.size() == 2 && parts[1] == "time" && method == verb::get) {
      pattern = "/v1/time";
      const auto now = domain::to_unix_ms(service_.clock().wall_now());
      std::string body = R"({"timestamp_ms":)" + std::to_string(now) + R"(,"server_version":)";
      domain::append_json_string(body, options_.server_version);
      body += R"(,"drift_tolerance_ms":)" + std::to_string(options_.drift_tolerance_ms) + "}";
      co_return data_response(req, status::ok, body);
    }
    if (parts[1] == "sessions") {
      co_return co_await session_route(req, std::span{parts}.subspan(2), query, pattern);
    }
  }

  co_return route_not_found(req);
}

asio::awaitable<Response> Router::session_route(const Request& req,
                                                std::span<const std::string_view> parts,
                                                std::string_view query, std::string_view& pattern) {
  const verb method = req.method();

  if (parts.empty()) {
    if (method != verb::post) co_return route_not_found(req);
    pattern = "/v1/sessions";
    if (auto err = check_body(req)) co_return error_response(req, *err);
    auto request = domain::decode_create_request(req.body(), options_.max_body_bytes);
    if (!request) co_return error_response(req, request.error());
    const auto id = request->session_id.value_or(ids_.next());
    auto created = co_await service_.create(std::move(*request), id);
    if (!created) co_return error_response(req, created.error());
    auto res = data_response(req, status::created, session_json(*created));
    res.set(field::location, "/v1/sessions/" + id.to_string());
    co_return res;
  }

  const auto id = path_id(parts[0]);
  if (!id) {
    pattern = "/v1/sessions/:id";
    co_return error_response(req, domain::Error::validation("session_id", "must be a UUID"));
  }

  if (parts.size() == 1) {
    pattern = "/v1/sessions/:id";
    if (method == verb::get) co_return co_await get_session(req, *id, query);
    if (method == verb::delete_) {
      auto removed = co_await service_.remove(*id);
      if (!removed) co_return error_response(req, removed.error());
      Response res{status::no_content, req.version()};
      res.keep_alive(req.keep_alive());
      co_return res;
    }
    co_return route_not_found(req);
  }

  const std::string_view action = parts[1];
  std::optional<domain::Command> command;
  if (parts.size() == 2 && method == verb::post) {
    if (auto err = check_body(req)) co_return error_response(req, *err);
    if (action == "switch") {
      pattern = "/v1/sessions/:id/switch";
      auto cmd = domain::decode_switch_request(req.body(), options_.max_body_bytes);
      if (!cmd) co_return error_response(req, cmd.error());
      auto r = co_await service_.execute(*id, *cmd);
      if (!r) co_return error_response(req, r.error());
      std::optional<domain::Uuid> expired;
      if (!r->expiries.empty()) expired = r->expiries.front().participant_id;
      co_return data_response(req, status::ok,
                              domain::encode_switch_result(r->state, r->live, expired));
    }
    if (action == "participants") {
      pattern = "/v1/sessions/:id/participants";
      auto cmd = domain::decode_add_participant_request(req.body(), options_.max_body_bytes);
      if (!cmd) co_return error_response(req, cmd.error());
      command = *cmd;
    } else if (const auto* bodiless = find_bodiless_action(action)) {
      // These take no body: only nothing or an empty JSON object is accepted.
      std::string compact{req.body()};
      std::erase_if(compact,
                    [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
      if (!compact.empty() && compact != "{}") {
        co_return error_response(
            req, domain::Error::validation("", "this action takes no request body"));
      }
      pattern = bodiless->pattern;
      command = bodiless->command;
    }
  } else if (parts.size() >= 3 && action == "participants") {
    const auto pid = path_id(parts[2]);
    if (parts.size() == 3 && method == verb::delete_) {
      pattern = "/v1/sessions/:id/participants/:pid";
      if (!pid) {
        co_return error_response(req,
                                 domain::Error::validation("participant_id", "must be a UUID"));
      }
      command = domain::RemoveParticipantCommand{*pid};
    } else if (parts.size() == 4 && parts[3] == "time" && method == verb::post) {
      pattern = "/v1/sessions/:id/participants/:pid/time";
      if (!pid) {
        co_return error_response(req,
                                 domain::Error::validation("participant_id", "must be a UUID"));
      }
      if (auto err = check_body(req)) co_return error_response(req, *err);
      auto cmd = domain::decode_adjust_time_request(req.body(), *pid, options_.max_body_bytes);
      if (!cmd) co_return error_response(req, cmd.error());
      command = *cmd;
    }
  }

  if (!command) co_return route_not_found(req);
  auto r = co_await service_.execute(*id, *command);
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
  auto s = co_await service_.get(id);
  if (!s) co_return error_response(req, s.error());
  if (ticket && s->state.version <= *since) {
    co_await ticket->wait(wait);
    s = co_await service_.get(id);
    if (!s) co_return error_response(req, s.error());
  }
  if (since && s->state.version <= *since) {
    Response res{status::not_modified, req.version()};
    res.keep_alive(req.keep_alive());
    co_return res;
  }
  co_return data_response(req, status::ok, session_json(*s));
}

asio::awaitable<Response> Router::ready(const Request& req) {
  // (Awaited into a local first: GCC 12 miscompiles co_await inside an if condition.)
  const bool store_up = co_await store_.healthy();
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
