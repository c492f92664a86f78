// ISO-8601 formatting and parsing without locale or time-zone machinery: the civil
// calendar conversion is done with std::chrono's year_month_day, which is exact
// for every date a session can have.
#include "domain/time.h"

#include <array>

namespace sk::domain {
namespace {

void append_digits(std::string& out, std::int64_t value, int width) {
  std::array<char, 8> buf{};
  for (int i = width - 1; i >= 0; --i) {
    buf[static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buf.data(), static_cast<std::size_t>(width));
}

std::optional<int> read_digits(std::string_view text, std::size_t pos, std::size_t width) {
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

void append_iso8601(std::string& out, TimePoint t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const auto in_day = t - day;  // milliseconds since midnight, always >= 0
  const auto ms_of_day = in_day.count();
  append_digits(out, static_cast<int>(ymd.year()), 4);
  out.push_back('-');
  append_digits(out, static_cast<unsigned>(ymd.month()), 2);
  out.push_back('-');
  append_digits(out, static_cast<unsigned>(ymd.day()), 2);
  out.push_back('T');
  append_digits(out, ms_of_day / 3'600'000, 2);
  out.push_back(':');
  append_digits(out, ms_of_day / 60'000 % 60, 2);
  out.push_back(':');
  append_digits(out, ms_of_day / 1000 % 60, 2);
  out.push_back('.');
  append_digits(out, ms_of_day % 1000, 3);
  out.push_back('Z');
}

std::string format_iso8601(TimePoint t) {
  std::string out;
  out.reserve(24);
  append_iso8601(out, t);
  return out;
}

std::optional<TimePoint> parse_iso8601(std::string_view text) {
  using namespace std::chrono;
  // YYYY-MM-DDTHH:MM:SS.mmmZ
  if (text.size() != 24 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != '.' || text[23] != 'Z') {
    return std::nullopt;
  }
  const auto y = read_digits(text, 0, 4);
  const auto mo = read_digits(text, 5, 2);
  const auto d = read_digits(text, 8, 2);
  const auto h = read_digits(text, 11, 2);
  const auto mi = read_digits(text, 14, 2);
  const auto s = read_digits(text, 17, 2);
  const auto ms = read_digits(text, 20, 3);
  if (!y || !mo || !d || !h || !mi || !s || !ms) return std::nullopt;
  if (*h > 23 || *mi > 59 || *s > 59) return std::nullopt;
  const year_month_day ymd{year{*y}, month{static_cast<unsigned>(*mo)},
                           day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  return TimePoint{sys_days{ymd}} + hours{*h} + minutes{*mi} + seconds{*s} + Millis{*ms};
}

}  // namespace sk::domain
