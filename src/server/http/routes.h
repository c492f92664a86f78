// The route table of the REST API (SPEC §3): which paths exist, the methods each
// serves, and the pattern that names it in metrics. Matching a path is separate from
// choosing a method, so a known path asked with a method it does not serve answers
// 405 with `Allow` rather than 404, and no label value ever comes from the client.
// No I/O here.
#pragma once

#include <optional>
#include <ostream>  // Beast's string_view needs std::ostream complete
#include <span>
#include <string>
#include <string_view>

#include <boost/beast/http/verb.hpp>

namespace sk::server::http {

enum class Route {
  health,
  ready,
  metrics,
  openapi,
  docs,
  time,
  sessions,          // /v1/sessions
  session,           // /v1/sessions/:id
  session_action,    // /v1/sessions/:id/{start,pause,resume,complete,cancel}
  switch_turn,       // /v1/sessions/:id/switch
  share,             // /v1/sessions/:id/share (the web page's share links)
  participants,      // /v1/sessions/:id/participants
  participant,       // /v1/sessions/:id/participants/:pid
  participant_time,  // /v1/sessions/:id/participants/:pid/time
};

struct RouteMatch {
  Route route;
  std::string_view pattern;  // e.g. "/v1/sessions/:id/switch": a literal, for metrics
  std::string_view id;       // the :id segment, as sent (validated by the handler)
  std::string_view pid;      // the :pid segment
  std::string_view action;   // session_action: "start", "pause", ...
};

// nullopt: no route has this path (404). `path` has no query string.
std::optional<RouteMatch> match_route(std::string_view path);

// The methods `route` serves (OPTIONS, the CORS preflight, is served for every route).
std::span<const boost::beast::http::verb> allowed_methods(Route route);
bool allows(Route route, boost::beast::http::verb method);
// The value of an `Allow` header for `route`: "GET, DELETE, OPTIONS".
std::string allow_header(Route route);

}  // namespace sk::server::http
