// Test helpers for the Redis client tests: the store tests' io_context run by a few
// threads and run() (store_test_support.h, shared rather than copied), wait_until()
// for conditions that become true in the background (testing/eventually.h), and
// failed_connects() to see a client's connect attempts fail. Test code only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "store/store_test_support.h"
#include "testing/eventually.h"

namespace sk::store::redis::testing {

using namespace std::chrono_literals;
using sk::store::testing::as_optional;
using sk::store::testing::IoThreads;
using sk::store::testing::run;

// Polls `done` until it holds or `timeout` passes.
inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  return ::sk::testing::eventually(done, timeout);
}

// Stands in for a server that is down on 127.0.0.1:`port`: accepts `attempts`
// connections and closes each at once, so each is a failed connect attempt of the
// client; then stops listening (later attempts are refused). False if fewer arrived
// within `timeout`.
inline bool failed_connects(std::uint16_t port, int attempts, std::chrono::milliseconds timeout) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(0x7f000001u);  // 127.0.0.1
  addr.sin_port = htons(port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd, 8) != 0) {
    ::close(fd);
    return false;
  }
  const auto until = std::chrono::steady_clock::now() + timeout;
  int seen = 0;
  while (seen < attempts && std::chrono::steady_clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10) == 1) {
      const int conn = ::accept(fd, nullptr, nullptr);
      if (conn >= 0) {
        ::close(conn);
        ++seen;
      }
    }
  }
  ::close(fd);
  return seen >= attempts;
}

}  // namespace sk::store::redis::testing
