// A session, participant or group id: a UUID of any version.
//
// Stored as 16 bytes so comparison is exact and case-insensitive by construction;
// always written back in lowercase canonical 8-4-4-4-12 form. No I/O, no randomness
// here: generating ids is the server's job.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace sk::domain {

class Uuid {
 public:
  constexpr Uuid() = default;
  explicit constexpr Uuid(const std::array<std::uint8_t, 16>& bytes) : bytes_(bytes) {}

  // Canonical 36-character form only (hex digits in either case, dashes at 8-4-4-4-12).
  static std::optional<Uuid> parse(std::string_view text);

  std::string to_string() const;
  void append_to(std::string& out) const;
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }

  friend constexpr auto operator<=>(const Uuid&, const Uuid&) = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
};

// A hash for Uuid keys of unordered containers. Random UUIDs are uniform in almost
// every bit, but test and hand-made ids differ in a few bytes only: mix the two
// 64-bit halves before folding. No cryptographic strength is wanted or implied.
struct UuidHash {
  std::size_t operator()(const Uuid& id) const noexcept {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    std::memcpy(&hi, id.bytes().data(), sizeof hi);
    std::memcpy(&lo, id.bytes().data() + sizeof hi, sizeof lo);
    return static_cast<std::size_t>(hi ^ (lo * 0x9e3779b97f4a7c15ULL));
  }
};

}  // namespace sk::domain
