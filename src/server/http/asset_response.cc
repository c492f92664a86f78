#include "server/http/asset_response.h"

#include <boost/beast/http/field.hpp>

namespace sk::server::http {

using beast_http::field;
using beast_http::status;

namespace {

constexpr std::string_view kPagePolicy =
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
    "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'";

// If-None-Match is "*" or a list of entity tags, possibly weak (W/"...").
bool names_etag(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match == "*") return true;
  return if_none_match.find(etag) != std::string_view::npos;
}

}  // namespace

Response asset_response(const Request& req, const web::WebAsset& asset) {
  const bool unchanged = names_etag(req[field::if_none_match], asset.etag);
  Response res{unchanged ? status::not_modified : status::ok, req.version()};
  res.keep_alive(req.keep_alive());
  res.set(field::etag, asset.etag);
  res.set(field::cache_control, "no-cache");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  if (asset.is_page) res.set("Content-Security-Policy", kPagePolicy);
  if (unchanged) return res;
  res.set(field::content_type, asset.content_type);
  if (req.method() == beast_http::verb::head) {
    res.content_length(asset.body.size());
    return res;
  }
  res.body() = asset.body;
  res.prepare_payload();
  return res;
}

}  // namespace sk::server::http
