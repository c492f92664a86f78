#include "audit/postgres/pg_array.h"

#include <cassert>
#include <limits>

namespace sk::audit::postgres {
namespace {

// ndim, has-nulls, element type; then length and lower bound of the one dimension.
constexpr std::size_t kEmptyHeaderBytes = 12;
constexpr std::size_t kHeaderBytes = 20;

void put_be32(char* out, std::uint32_t v) {
  out[0] = static_cast<char>(v >> 24);
  out[1] = static_cast<char>(v >> 16);
  out[2] = static_cast<char>(v >> 8);
  out[3] = static_cast<char>(v);
}

void append_be32(std::string& out, std::uint32_t v) {
  char buf[4];
  put_be32(buf, v);
  out.append(buf, sizeof buf);
}

// The bytes each element of `type` takes besides its length word, not counting the
// text of text, json and jsonb.
std::size_t fixed_bytes(ElementType type) {
  switch (type) {
    case ElementType::boolean: return 1;
    case ElementType::int8: return 8;
    case ElementType::int4: return 4;
    case ElementType::text: return 0;
    case ElementType::json: return 0;
    case ElementType::uuid: return 16;
    case ElementType::jsonb: return 1;  // the version byte
  }
  return 0;
}

}  // namespace

BinaryArray::BinaryArray(ElementType type) : type_(type) {
  // The header is filled in by finish(), once the count and the NULLs are known.
  bytes_.resize(kHeaderBytes);
}

void BinaryArray::reserve(std::size_t elements, std::size_t text_bytes) {
  bytes_.reserve(kHeaderBytes + elements * (4 + fixed_bytes(type_)) + text_bytes);
}

void BinaryArray::start_element(std::size_t bytes) {
  // PostgreSQL's limit for one value is 1 GB, far below this.
  assert(bytes <= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()));
  append_be32(bytes_, static_cast<std::uint32_t>(bytes));
  ++count_;
}

void BinaryArray::add_null() {
  append_be32(bytes_, static_cast<std::uint32_t>(-1));
  ++count_;
  has_null_ = true;
}

void BinaryArray::add(std::int64_t value) {
  if (type_ == ElementType::int4) {
    assert(value >= std::numeric_limits<std::int32_t>::min() &&
           value <= std::numeric_limits<std::int32_t>::max());
    start_element(4);
    append_be32(bytes_, static_cast<std::uint32_t>(value));
    return;
  }
  assert(type_ == ElementType::int8);
  start_element(8);
  const auto v = static_cast<std::uint64_t>(value);
  append_be32(bytes_, static_cast<std::uint32_t>(v >> 32));
  append_be32(bytes_, static_cast<std::uint32_t>(v));
}

void BinaryArray::add_bool(bool value) {
  assert(type_ == ElementType::boolean);
  start_element(1);
  bytes_.push_back(value ? '\1' : '\0');
}

void BinaryArray::add(const domain::Uuid& value) {
  assert(type_ == ElementType::uuid);
  const auto& b = value.bytes();
  start_element(b.size());
  bytes_.append(reinterpret_cast<const char*>(b.data()), b.size());
}

void BinaryArray::add(std::string_view text) {
  if (type_ == ElementType::jsonb) {
    start_element(1 + text.size());
    bytes_.push_back('\1');  // jsonb_recv's only version
  } else {
    assert(type_ == ElementType::text || type_ == ElementType::json);
    start_element(text.size());
  }
  bytes_.append(text);
}

std::string BinaryArray::finish() {
  if (count_ == 0) {
    // No dimensions: array_recv's empty array, without length and lower bound.
    bytes_.resize(kEmptyHeaderBytes);
  }
  char* h = bytes_.data();
  put_be32(h, count_ == 0 ? 0 : 1);
  put_be32(h + 4, has_null_ ? 1 : 0);
  put_be32(h + 8, static_cast<std::uint32_t>(type_));
  if (count_ != 0) {
    assert(count_ <= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()));
    put_be32(h + 12, static_cast<std::uint32_t>(count_));
    put_be32(h + 16, 1);  // lower bound: PostgreSQL arrays count from 1
  }
  return std::move(bytes_);
}

}  // namespace sk::audit::postgres
