#include "server/web/web_assets.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace sk::server::web {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The URL paths a file of the client tree is served at (none for files outside web/
// and src/).
std::vector<std::string> url_paths_of(std::string_view relative_path) {
  constexpr std::string_view kWeb = "web/";
  constexpr std::string_view kSdk = "src/";
  if (relative_path.starts_with(kSdk)) {
    return {"/sdk/" + std::string{relative_path.substr(kSdk.size())}};
  }
  if (!relative_path.starts_with(kWeb)) return {};
  const std::string path = "/" + std::string{relative_path.substr(kWeb.size())};
  if (path == "/index.html") return {"/", path};
  if (ends_with(path, ".html")) return {path, path.substr(0, path.size() - 5)};
  return {path};
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return std::move(out).str();
}

}  // namespace

std::string_view content_type_of(std::string_view file_name) {
  struct Type {
    std::string_view suffix;
    std::string_view media;
  };
  // .d.ts before .ts would matter if .ts were served; it is not: only the
  // declarations, as plain text.
  static constexpr std::array<Type, 9> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".json", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".d.ts", "text/plain; charset=utf-8"},
  }};
  for (const auto& t : kTypes) {
    if (ends_with(file_name, t.suffix)) return t.media;
  }
  return {};
}

std::string etag_of(std::string_view bytes) {
  std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a, 64 bits
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  std::array<char, 19> text{};
  std::snprintf(text.data(), text.size(), "\"%016llx\"", static_cast<unsigned long long>(hash));
  return std::string{text.data(), 18};
}

WebAssets WebAssets::embedded() { return from_files(embedded_files()); }

WebAssets WebAssets::from_files(std::span<const SourceFile> files) {
  WebAssets assets;
  for (const auto& f : files) assets.add(f.relative_path, f.bytes);
  return assets;
}

WebAssets WebAssets::from_directory(const std::filesystem::path& root) {
  if (!std::filesystem::is_regular_file(root / "web" / "index.html")) {
    throw std::runtime_error("web root " + root.string() + " has no web/index.html");
  }
  WebAssets assets;
  for (const char* dir : {"web", "src"}) {
    if (!std::filesystem::is_directory(root / dir)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root / dir)) {
      if (!entry.is_regular_file()) continue;
      const auto relative = entry.path().lexically_relative(root).generic_string();
      assets.add(relative, read_file(entry.path()));
    }
  }
  return assets;
}

void WebAssets::add(std::string_view relative_path, std::string_view bytes) {
  const auto type = content_type_of(relative_path);
  if (type.empty()) return;
  for (auto& path : url_paths_of(relative_path)) {
    WebAsset asset{type, std::string{bytes}, etag_of(bytes), ends_with(relative_path, ".html")};
    by_path_.insert_or_assign(std::move(path), std::move(asset));
  }
}

const WebAsset* WebAssets::find(std::string_view path) const {
  const auto it = by_path_.find(path);
  return it == by_path_.end() ? nullptr : &it->second;
}

}  // namespace sk::server::web
