#include "server/http/routes.h"

#include <algorithm>
#include <array>
#include <vector>

namespace sk::server::http {

using boost::beast::http::verb;

namespace {

constexpr std::array kGet{verb::get};
constexpr std::array kPost{verb::post};
constexpr std::array kDelete{verb::delete_};
constexpr std::array kGetDelete{verb::get, verb::delete_};

constexpr std::array<std::string_view, 5> kActions{"start", "pause", "resume", "complete",
                                                   "cancel"};
constexpr std::array<std::string_view, 5> kActionPatterns{
    "/v1/sessions/:id/start", "/v1/sessions/:id/pause", "/v1/sessions/:id/resume",
    "/v1/sessions/:id/complete", "/v1/sessions/:id/cancel"};

// Path segments; empty ones ("//", a trailing "/") are skipped.
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

std::optional<RouteMatch> match_top_level(std::string_view name) {
  struct Entry {
    std::string_view name;
    Route route;
    std::string_view pattern;
  };
  static constexpr std::array<Entry, 5> kTop{{
      {"health", Route::health, "/health"},
      {"ready", Route::ready, "/ready"},
      {"metrics", Route::metrics, "/metrics"},
      {"openapi.json", Route::openapi, "/openapi.json"},
      {"docs", Route::docs, "/docs"},
  }};
  for (const auto& e : kTop) {
    if (e.name == name) return RouteMatch{e.route, e.pattern, {}, {}, {}};
  }
  return std::nullopt;
}

std::optional<RouteMatch> match_session(std::span<const std::string_view> p) {
  // p: the segments after /v1/sessions
  if (p.empty()) return RouteMatch{Route::sessions, "/v1/sessions", {}, {}, {}};
  const std::string_view id = p[0];
  if (p.size() == 1) return RouteMatch{Route::session, "/v1/sessions/:id", id, {}, {}};
  const std::string_view sub = p[1];
  if (p.size() == 2) {
    if (sub == "switch")
      return RouteMatch{Route::switch_turn, "/v1/sessions/:id/switch", id, {}, {}};
    if (sub == "share") return RouteMatch{Route::share, "/v1/sessions/:id/share", id, {}, {}};
    if (sub == "participants") {
      return RouteMatch{Route::participants, "/v1/sessions/:id/participants", id, {}, {}};
    }
    for (std::size_t i = 0; i < kActions.size(); ++i) {
      if (sub == kActions[i]) {
        return RouteMatch{Route::session_action, kActionPatterns[i], id, {}, kActions[i]};
      }
    }
    return std::nullopt;
  }
  if (sub != "participants") return std::nullopt;
  if (p.size() == 3) {
    return RouteMatch{Route::participant, "/v1/sessions/:id/participants/:pid", id, p[2], {}};
  }
  if (p.size() == 4 && p[3] == "time") {
    return RouteMatch{
        Route::participant_time, "/v1/sessions/:id/participants/:pid/time", id, p[2], {}};
  }
  return std::nullopt;
}

}  // namespace

std::optional<RouteMatch> match_route(std::string_view path) {
  const auto parts = split_path(path);
  if (parts.size() == 1) return match_top_level(parts[0]);
  if (parts.size() >= 2 && parts[0] == "v1") {
    if (parts.size() == 2 && parts[1] == "time") {
      return RouteMatch{Route::time, "/v1/time", {}, {}, {}};
    }
    if (parts[1] == "sessions") return match_session(std::span{parts}.subspan(2));
  }
  return std::nullopt;
}

std::span<const verb> allowed_methods(Route route) {
  switch (route) {
    case Route::health:
    case Route::ready:
    case Route::metrics:
    case Route::openapi:
    case Route::docs:
    case Route::time: return kGet;
    case Route::session: return kGetDelete;
    case Route::participant: return kDelete;
    case Route::sessions:
    case Route::session_action:
    case Route::switch_turn:
    case Route::share:
    case Route::participants:
    case Route::participant_time: return kPost;
  }
  return {};
}

bool allows(Route route, verb method) {
  const auto methods = allowed_methods(route);
  return std::find(methods.begin(), methods.end(), method) != methods.end();
}

std::string allow_header(Route route) {
  std::string out;
  for (const verb v : allowed_methods(route)) {
    out += boost::beast::http::to_string(v);
    out += ", ";
  }
  out += "OPTIONS";
  return out;
}

}  // namespace sk::server::http
