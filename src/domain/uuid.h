// A session, participant or group id: a UUID of any version.
//
// Stored as 16 bytes so comparison is exact and case-insensitive by construction;
// always written back in lowercase canonical 8-4-4-4-12 form. No I/O, no randomness
// here: generating ids is the server's job.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
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

}  // namespace sk::domain
