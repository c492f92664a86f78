#include "domain/uuid.h"

#include <array>

namespace sk::domain {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr bool is_dash_position(std::size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

}  // namespace

std::optional<Uuid> Uuid::parse(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  std::array<std::uint8_t, 16> bytes{};
  std::size_t out = 0;
  for (std::size_t i = 0; i < 36; ++i) {
    if (is_dash_position(i)) {
      if (text[i] != '-') return std::nullopt;
      continue;
    }
    const int hi = hex_value(text[i]);
    const int lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0 || is_dash_position(i + 1)) return std::nullopt;
    bytes[out++] = static_cast<std::uint8_t>(hi * 16 + lo);
    ++i;
  }
  return Uuid{bytes};
}

void Uuid::append_to(std::string& out) const {
  // Formatted on the stack and appended once: on the hot path of every JSON a session
  // is written to (36 push_backs were ~2 % of a switch's instance CPU).
  static constexpr char kHex[] = "0123456789abcdef";
  std::array<char, 36> text{};
  std::size_t n = 0;
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text[n++] = '-';
    text[n++] = kHex[bytes_[i] >> 4];
    text[n++] = kHex[bytes_[i] & 0x0f];
  }
  out.append(text.data(), text.size());
}

std::string Uuid::to_string() const {
  std::string out;
  out.reserve(36);
  append_to(out);
  return out;
}

}  // namespace sk::domain
