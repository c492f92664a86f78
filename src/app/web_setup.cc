#include "app/web_setup.h"

#include "app/logging.h"

namespace sk::app {

server::web::WebAssets make_web_assets(const Config& config, spdlog::logger& log) {
  if (!config.web_page) return {};
  if (config.web_root.empty()) return server::web::WebAssets::embedded();
  auto assets = server::web::WebAssets::from_directory(config.web_root);
  log.info(R"("msg":"web page from disk","root":"{}","files":{})", json_escape(config.web_root),
           assets.size());
  return assets;
}

}  // namespace sk::app
