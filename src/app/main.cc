// synckairos: the one binary. For now it only describes itself; the server, the
// store engines and the audit writer are wired here as they arrive (issues 3-5).
#include <cstdio>

#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"SyncKairos: server-authoritative real-time timing service"};
  app.set_version_flag("--version", std::string{"synckairos "} + SK_VERSION);
  CLI11_PARSE(app, argc, argv);
  std::printf(
      "synckairos %s: the clock engine is built; the HTTP/WebSocket server is not yet "
      "part of this build (see README).\n",
      SK_VERSION);
  return 0;
}
