// Random (version 4) UUIDs for sessions created without a client-chosen id. One
// generator per server, guarded by a mutex; seeded from std::random_device.
#pragma once

#include <mutex>
#include <random>

#include "domain/uuid.h"

namespace sk::server {

class IdGenerator {
 public:
  IdGenerator() : rng_(std::random_device{}()) {}

  domain::Uuid next() {
    std::array<std::uint8_t, 16> b{};
    {
      std::lock_guard lock(mutex_);
      for (std::size_t i = 0; i < 16; i += 8) {
        const std::uint64_t r = rng_();
        for (std::size_t j = 0; j < 8; ++j) b[i + j] = static_cast<std::uint8_t>(r >> (8 * j));
      }
    }
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
    return domain::Uuid{b};
  }

 private:
  std::mutex mutex_;
  std::mt19937_64 rng_;
};

}  // namespace sk::server
