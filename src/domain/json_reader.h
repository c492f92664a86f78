// Private to the JSON decoders (json_decode.cc, json_decode_session.cc): strict, typed
// reading of simdjson DOM values with every defect recorded as a {field, message}
// violation under a dotted path.
//
// Paths are built lazily (a chain of stack frames rendered only when a violation is
// recorded), so decoding a valid 1000-participant session allocates no path strings.
// Nothing here throws: simdjson is used through its error-code API only.
// No I/O here. Not part of the domain's public API; include only from .cc files.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "domain/errors.h"
#include "domain/time.h"
#include "domain/uuid.h"

namespace sk::domain::json_detail {

// One step of a dotted field path ("participants.3.total_time_ms"). Each Path lives on
// the stack of the function reading that level and points at its parent's frame.
class Path {
 public:
  Path() = default;

  Path child(std::string_view key) const { return Path{this, key, 0, false}; }
  Path at(std::size_t index) const { return Path{this, {}, index, true}; }

  // "" for the root. Paths longer than kMaxPathBytes are cut and end in "...".
  std::string str() const;

  static constexpr std::size_t kMaxPathBytes = 200;

 private:
  Path(const Path* parent, std::string_view key, std::size_t index, bool is_index)
      : parent_(parent), key_(key), index_(index), is_index_(is_index) {}

  const Path* parent_ = nullptr;
  std::string_view key_;
  std::size_t index_ = 0;
  bool is_index_ = false;
};

// The violations found so far. A hostile body of 1 MB could name ~100k unknown keys;
// past kMaxViolations further ones are dropped so the error response stays small.
class Violations {
 public:
  static constexpr std::size_t kMaxViolations = 100;

  void add(const Path& path, std::string_view message);
  void add(std::string field, std::string message);
  bool empty() const { return list_.empty(); }
  const std::vector<FieldViolation>& list() const { return list_; }
  std::vector<FieldViolation> take() { return std::move(list_); }

  // True when `field` was already reported, or lies under a reported path (so a
  // follow-up complaint about it would only repeat the first one).
  bool covers(std::string_view field) const;

 private:
  std::vector<FieldViolation> list_;
};

// Parses `json` into `root` (copying it into a padded buffer). Returns a short reason
// when it is not valid JSON (including invalid UTF-8 and nesting deeper than 1024).
std::optional<std::string_view> parse(simdjson::dom::parser& parser, std::string_view json,
                                      simdjson::dom::element& root);

// What to do with keys that are not in the known list.
enum class Unknown { reject, ignore };

// How a field must appear.
enum class Need {
  optional,  // may be absent; null counts as absent
  required,  // must be present and not null
  nullable,  // must be present; null is a value ("no value")
};

// The fields of one JSON object, matched against a fixed list of known keys. Duplicate
// keys are always violations; unknown keys are violations or ignored per `Unknown`.
// Typed getters return nullopt when the field is absent, null, or has the wrong type;
// the last case (and a missing required field) is recorded in `violations`.
class Fields {
 public:
  static constexpr std::size_t kMaxKeys = 24;

  Fields(simdjson::dom::object object, std::span<const std::string_view> keys, const Path& path,
         Unknown unknown, Violations& violations);

  // True when the key is present with a non-null value (valid or not).
  bool has(std::size_t key) const;
  // The raw value when present and not null; reports a missing required field.
  std::optional<simdjson::dom::element> value(std::size_t key, Need need = Need::optional);
  Path path(std::size_t key) const { return path_->child(keys_[key]); }

  std::optional<std::int64_t> int64(std::size_t key, Need need = Need::optional);
  std::optional<Millis> millis(std::size_t key, Need need = Need::optional);
  std::optional<std::string_view> string(std::size_t key, Need need = Need::optional);
  std::optional<bool> boolean(std::size_t key, Need need = Need::optional);
  std::optional<Uuid> uuid(std::size_t key, Need need = Need::optional);
  std::optional<TimePoint> timestamp(std::size_t key, Need need = Need::optional);
  std::optional<simdjson::dom::array> array(std::size_t key, Need need = Need::optional);
  // A JSON object kept as compact text, checked for duplicate keys at every depth.
  std::optional<std::string> object_text(std::size_t key, Need need = Need::optional);

  Violations& violations() { return violations_; }

 private:
  struct Slot {
    simdjson::dom::element value;
    bool present = false;
  };

  std::span<const std::string_view> keys_;
  const Path* path_;
  Violations& violations_;
  std::array<Slot, kMaxKeys> slots_{};
};

// Element-level readers (for array items and single values).
std::optional<simdjson::dom::object> as_object(simdjson::dom::element e, const Path& path,
                                               Violations& v);
std::optional<std::int64_t> as_int64(simdjson::dom::element e, const Path& path, Violations& v);

// Reports every object (at any depth under `e`) that repeats a key.
void check_duplicate_keys(simdjson::dom::element e, const Path& path, Violations& v);

}  // namespace sk::domain::json_detail
