// ArrayLiteral: the text form of a one-dimensional PostgreSQL array ("{1,NULL,"a\"b"}"),
// so a whole batch travels as a few array parameters of ONE statement and is spread
// back into rows with unnest(). Text elements are always quoted (a quoted element is
// never taken for NULL, whatever it contains). No I/O here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/uuid.h"

namespace sk::audit::postgres {

class ArrayLiteral {
 public:
  ArrayLiteral() { text_.push_back('{'); }

  void reserve(std::size_t bytes) { text_.reserve(bytes); }

  void add_null();
  void add(std::int64_t value);
  void add_bool(bool value);
  void add(const domain::Uuid& value);
  void add(std::string_view text);  // quoted and escaped

  template <typename T>
  void add(const std::optional<T>& value) {
    if (value) {
      add(*value);
    } else {
      add_null();
    }
  }

  // The finished literal ("{}" when empty). The builder is spent afterwards.
  std::string finish();

 private:
  void separator();

  std::string text_;
  bool empty_ = true;
};

}  // namespace sk::audit::postgres
