// The URL rule of the web page's files, the types served, reading a tree from disk,
// and that the build really embedded the page and the SDK.
#include "server/web/web_assets.h"

#include <array>
#include <fstream>

#include <gtest/gtest.h>

namespace sk::server::web {
namespace {

TEST(WebAssets, MapsTheClientTreeToUrls) {
  constexpr std::array<SourceFile, 6> files{{
      {"web/index.html", "home"},
      {"web/clock.html", "clock"},
      {"web/app/view.js", "view"},
      {"src/index.js", "sdk"},
      {"src/index.d.ts", "types"},
      {"test/sdk/rest.test.js", "never served"},
  }};
  const auto assets = WebAssets::from_files(files);
  const auto body = [&](std::string_view path) {
    const auto* a = assets.find(path);
    return a ? a->body : std::string{"<none>"};
  };
  EXPECT_EQ(body("/"), "home");
  EXPECT_EQ(body("/index.html"), "home");
  EXPECT_EQ(body("/clock"), "clock");
  EXPECT_EQ(body("/clock.html"), "clock");
  EXPECT_EQ(body("/app/view.js"), "view");
  EXPECT_EQ(body("/sdk/index.js"), "sdk");
  EXPECT_EQ(body("/sdk/index.d.ts"), "types");
  EXPECT_EQ(body("/test/sdk/rest.test.js"), "<none>");
  EXPECT_EQ(body("/index"), "<none>");
  EXPECT_EQ(assets.size(), 7u);
  EXPECT_TRUE(assets.find("/")->is_page);
  EXPECT_FALSE(assets.find("/sdk/index.js")->is_page);
}

TEST(WebAssets, ServesKnownTypesOnly) {
  EXPECT_EQ(content_type_of("a/b.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_of("style.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_of("icon.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_of("index.d.ts"), "text/plain; charset=utf-8");
  EXPECT_EQ(content_type_of("main.ts"), "");
  EXPECT_EQ(content_type_of(".env"), "");
  EXPECT_EQ(content_type_of("notes.md"), "");
  constexpr std::array<SourceFile, 2> files{{{"web/README.md", "x"}, {"web/.env", "secret"}}};
  EXPECT_TRUE(WebAssets::from_files(files).empty());
}

TEST(WebAssets, EtagsChangeWithTheBytes) {
  EXPECT_EQ(etag_of("abc"), etag_of("abc"));
  EXPECT_NE(etag_of("abc"), etag_of("abd"));
  EXPECT_EQ(etag_of(""), "\"cbf29ce484222325\"");  // FNV-1a's offset basis
}

TEST(WebAssets, ReadsATreeFromDisk) {
  const auto root = std::filesystem::temp_directory_path() /
                    ("sk-web-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::remove_all(root);
  EXPECT_THROW(WebAssets::from_directory(root), std::runtime_error);
  std::filesystem::create_directories(root / "web" / "app");
  std::filesystem::create_directories(root / "src");
  std::ofstream(root / "web" / "index.html") << "<p>disk</p>";
  std::ofstream(root / "web" / "app" / "main.js") << "main";
  std::ofstream(root / "src" / "index.js") << "sdk";
  const auto assets = WebAssets::from_directory(root);
  ASSERT_NE(assets.find("/"), nullptr);
  EXPECT_EQ(assets.find("/")->body, "<p>disk</p>");
  ASSERT_NE(assets.find("/app/main.js"), nullptr);
  EXPECT_EQ(assets.find("/sdk/index.js")->body, "sdk");
  std::filesystem::remove_all(root);
}

// What the binary serves with no configuration: the page and the SDK of clients/js.
TEST(WebAssets, TheBuildEmbedsThePageAndTheSdk) {
  const auto assets = WebAssets::embedded();
  for (const auto* path : {"/", "/clock", "/sdk/index.js", "/sdk/index.d.ts"}) {
    EXPECT_NE(assets.find(path), nullptr) << path;
  }
  EXPECT_EQ(assets.find("/")->body.find("<!doctype html>"), 0u);
}

}  // namespace
}  // namespace sk::server::web
