// The web page's files as the configuration asks for them: WEB_PAGE=false serves
// none, WEB_ROOT serves a clients/js tree from disk (for page development: read once
// at start), otherwise the copy built into the binary.
#pragma once

#include <spdlog/logger.h>

#include "app/config.h"
#include "server/web/web_assets.h"

namespace sk::app {

// Throws std::runtime_error for a WEB_ROOT without web/index.html.
server::web::WebAssets make_web_assets(const Config& config, spdlog::logger& log);

}  // namespace sk::app
