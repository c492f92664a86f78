// A hash for Uuid keys of the memory engine's tables. A UUID is already uniformly
// random in (nearly) all its bits, so folding the two 64-bit halves is enough; no
// cryptographic strength is wanted or implied. Nothing else belongs here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "domain/uuid.h"

namespace sk::store::memory {

struct UuidHash {
  std::size_t operator()(const domain::Uuid& id) const noexcept {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    std::memcpy(&hi, id.bytes().data(), sizeof hi);
    std::memcpy(&lo, id.bytes().data() + sizeof hi, sizeof lo);
    // Test and hand-made ids differ in a few bytes only: mix before folding.
    return static_cast<std::size_t>(hi ^ (lo * 0x9e3779b97f4a7c15ULL));
  }
};

}  // namespace sk::store::memory
