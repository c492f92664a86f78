// The HTTP answer for a file of the web page (server/web): the asset with its
// validator, revalidated on every load (the page's modules import each other by
// plain names, so a cached old module must never meet a new one after an upgrade;
// a 304 costs one small round trip), and the headers that keep a page safe to open
// from a link: a strict Content-Security-Policy (the page has no inline script or
// style and talks only to its own origin), no MIME sniffing, no Referer (a share
// link's token rides in the fragment, which is never sent; this keeps the rest of
// the link private too). No I/O here.
#pragma once

#include "server/http/responses.h"
#include "server/web/web_assets.h"

namespace sk::server::http {

// GET or HEAD of `asset`: 200 with the body (HEAD: its length only), or 304 when
// the request's If-None-Match names the asset's ETag.
Response asset_response(const Request& req, const web::WebAsset& asset);

}  // namespace sk::server::http
