// BinaryArray: a one-dimensional PostgreSQL array in the binary wire format (what
// array_recv reads), so a whole batch travels as a few array parameters of ONE
// statement and is spread back into rows with unnest(). Binary, not the text literal
// "{...}": the server then takes each element as it is instead of parsing the literal
// and unescaping every quoted element -- for ~1 KB JSON snapshots that parsing was
// ~10 % of PostgreSQL's CPU per batch. No I/O here.
//
// Layout, every integer big-endian:
//   int32 ndim (0 when empty, else 1), int32 has-nulls (0/1), uint32 element type OID,
//   [ndim 1: int32 length, int32 lower bound (1)],
//   per element: int32 byte length (-1 = NULL, no bytes follow), then the bytes in the
//   element type's own binary form (its typreceive's input).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/uuid.h"

namespace sk::audit::postgres {

// Element types, by their OIDs in pg_type.dat. Built-in types only: their OIDs are
// fixed, while a type the schema creates (an enum) gets a new one per database (see
// write_statement.cc for how the enums travel).
enum class ElementType : std::uint32_t {
  boolean = 16,  // one byte, 0 or 1
  int8 = 20,     // 8 bytes
  int4 = 23,     // 4 bytes
  text = 25,     // the bytes of the text, no terminator
  json = 114,    // the JSON text as it is (json_recv: no version byte)
  uuid = 2950,   // the 16 bytes
  jsonb = 3802,  // version byte 1, then the JSON text
};

class BinaryArray {
 public:
  explicit BinaryArray(ElementType type);

  // Room for `elements` elements, of which the variable-length ones (text, json, jsonb) hold
  // `text_bytes` bytes of text in all: one allocation for a whole batch.
  void reserve(std::size_t elements, std::size_t text_bytes = 0);

  // Each add must suit the element type (a bug otherwise, asserted).
  void add_null();
  void add(std::int64_t value);  // int8, or int4 (the value must fit)
  void add_bool(bool value);     // boolean
  void add(const domain::Uuid& value);
  void add(std::string_view text);  // text, json or jsonb

  template <typename T>
  void add(const std::optional<T>& value) {
    if (value) {
      add(*value);
    } else {
      add_null();
    }
  }

  // The finished array, header filled in. The builder is spent afterwards.
  std::string finish();

 private:
  // Appends an element's length word; its bytes follow.
  void start_element(std::size_t bytes);

  std::string bytes_;
  ElementType type_;
  std::size_t count_ = 0;
  bool has_null_ = false;
};

}  // namespace sk::audit::postgres
