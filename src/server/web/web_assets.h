// The web page and the JavaScript SDK that `synckairos` serves itself (issue 15): a
// fixed set of files, held in memory, looked up by URL path. Two sources, one URL
// rule, so what a developer sees with --web-root is what the binary ships:
//   web/index.html   -> /            (and /index.html)
//   web/NAME.html    -> /NAME.html   (and /NAME)
//   web/PATH         -> /PATH
//   src/PATH         -> /sdk/PATH
// Only files of a known type are served; everything else in the tree is left out.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>

namespace sk::server::web {

struct WebAsset {
  std::string_view content_type;
  std::string body;
  std::string etag;      // a strong validator: the quoted FNV-1a hash of the body
  bool is_page = false;  // an HTML document (gets the Content-Security-Policy)
};

// One file of the client tree: its path relative to `clients/js` and its bytes.
struct SourceFile {
  std::string_view relative_path;
  std::string_view bytes;
};

// The files compiled into the binary (generated at build time from clients/js).
std::span<const SourceFile> embedded_files();

class WebAssets {
 public:
  WebAssets() = default;  // empty: no page is served
  // The files compiled into the binary.
  static WebAssets embedded();
  // The files under `root` (a `clients/js` tree), read once, now. Throws
  // std::runtime_error when `root` has no web/index.html.
  static WebAssets from_directory(const std::filesystem::path& root);
  static WebAssets from_files(std::span<const SourceFile> files);

  // The asset at `path` (no query string), or null.
  const WebAsset* find(std::string_view path) const;
  std::size_t size() const { return by_path_.size(); }
  bool empty() const { return by_path_.empty(); }

 private:
  void add(std::string_view relative_path, std::string_view bytes);
  std::map<std::string, WebAsset, std::less<>> by_path_;
};

// The media type served for a file name, or empty for a type that is not served.
std::string_view content_type_of(std::string_view file_name);
// "\"<16 hex digits>\"".
std::string etag_of(std::string_view bytes);

}  // namespace sk::server::web
