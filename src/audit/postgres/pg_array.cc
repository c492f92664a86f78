#include "audit/postgres/pg_array.h"

#include <charconv>

namespace sk::audit::postgres {

void ArrayLiteral::separator() {
  if (!empty_) text_.push_back(',');
  empty_ = false;
}

void ArrayLiteral::add_null() {
  separator();
  text_.append("NULL");
}

void ArrayLiteral::add(std::int64_t value) {
  separator();
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;  // 24 bytes always hold an int64
  text_.append(buf, end);
}

void ArrayLiteral::add_bool(bool value) {
  separator();
  text_.push_back(value ? 't' : 'f');
}

void ArrayLiteral::add(const domain::Uuid& value) {
  separator();
  value.append_to(text_);
}

void ArrayLiteral::add(std::string_view text) {
  separator();
  text_.push_back('"');
  // Copy runs without specials in one go: snapshots are ~1 KB of mostly plain text.
  std::size_t from = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"' || text[i] == '\\') {
      text_.append(text.substr(from, i - from));
      text_.push_back('\\');
      from = i;
    }
  }
  text_.append(text.substr(from));
  text_.push_back('"');
}

std::string ArrayLiteral::finish() {
  text_.push_back('}');
  return std::move(text_);
}

}  // namespace sk::audit::postgres
