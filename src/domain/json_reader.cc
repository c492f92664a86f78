// Typed, strict reading of simdjson DOM values for the decoders. See json_reader.h.
// Error-code API only: no simdjson exception can be thrown from here.
#include "domain/json_reader.h"

#include <string>
#include <unordered_set>

namespace sk::domain::json_detail {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Remembers keys to find repeats. Most objects have a handful of keys, compared
// pairwise on the stack; a large one (metadata may hold thousands) switches to a hash
// set so a hostile object cannot make the check quadratic.
class KeySet {
 public:
  // False when `key` was seen before.
  bool insert(std::string_view key) {
    if (large_.empty()) {
      for (std::size_t i = 0; i < count_; ++i) {
        if (small_[i] == key) return false;
      }
      if (count_ < small_.size()) {
        small_[count_++] = key;
        return true;
      }
      large_.insert(small_.begin(), small_.end());
    }
    return large_.insert(key).second;
  }

 private:
  std::array<std::string_view, 16> small_{};
  std::size_t count_ = 0;
  std::unordered_set<std::string_view> large_;
};

std::string_view reason_for(simdjson::error_code error) {
  switch (error) {
    case simdjson::EMPTY: return "the body is empty";
    case simdjson::DEPTH_ERROR: return "nested too deeply";
    case simdjson::UTF8_ERROR: return "invalid UTF-8";
    case simdjson::UNCLOSED_STRING: return "unterminated string";
    case simdjson::STRING_ERROR: return "invalid string";
    case simdjson::UNESCAPED_CHARS: return "control character in a string";
    case simdjson::NUMBER_ERROR: return "invalid or out-of-range number";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR: return "invalid literal";
    case simdjson::CAPACITY: return "document too large";
    case simdjson::MEMALLOC: return "out of memory";
    default: return "invalid JSON structure";
  }
}

}  // namespace

std::string Path::str() const {
  std::vector<const Path*> chain;  // leaf first; only built when reporting
  for (const Path* p = this; p != nullptr && p->parent_ != nullptr; p = p->parent_) {
    chain.push_back(p);
  }
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (!out.empty()) out.push_back('.');
    if ((*it)->is_index_) {
      out += std::to_string((*it)->index_);
    } else {
      out.append((*it)->key_);
    }
    if (out.size() > kMaxPathBytes) break;
  }
  // Keys are client text: a deep metadata object of long keys must not turn into a
  // megabyte-sized field name. Cut on a UTF-8 character boundary.
  if (out.size() > kMaxPathBytes) {
    std::size_t cut = kMaxPathBytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "...";
  }
  return out;
}

void Violations::add(const Path& path, std::string_view message) {
  if (list_.size() >= kMaxViolations) return;
  list_.push_back({path.str(), std::string(message)});
}

void Violations::add(std::string field, std::string message) {
  if (list_.size() >= kMaxViolations) return;
  list_.push_back({std::move(field), std::move(message)});
}

bool Violations::covers(std::string_view field) const {
  for (const auto& v : list_) {
    if (v.field.empty()) continue;  // a top-level complaint does not hide field ones
    if (field == v.field) return true;
    if (field.size() > v.field.size() && field.starts_with(v.field) &&
        field[v.field.size()] == '.') {
      return true;
    }
  }
  return false;
}

std::optional<std::string_view> parse(simdjson::dom::parser& parser, std::string_view json,
                                      element& root) {
  // realloc_if_needed copies into a padded buffer: simdjson reads up to 64 bytes past
  // the end, which a string_view does not promise.
  const auto error = parser.parse(json.data(), json.size(), true).get(root);
  if (error) return reason_for(error);
  return std::nullopt;
}

Fields::Fields(simdjson::dom::object object, std::span<const std::string_view> keys,
               const Path& path, Unknown unknown, Violations& violations)
    : keys_(keys), path_(&path), violations_(violations) {
  KeySet unknown_keys;
  for (const auto field : object) {
    std::size_t k = 0;
    while (k < keys_.size() && keys_[k] != field.key) ++k;
    if (k == keys_.size()) {
      if (unknown == Unknown::reject) {
        violations_.add(path.child(field.key), "unknown field");
      } else if (!unknown_keys.insert(field.key)) {
        violations_.add(path.child(field.key), "duplicate field");
      }
      continue;
    }
    if (slots_[k].present) {
      violations_.add(path.child(field.key), "duplicate field");
      continue;
    }
    slots_[k] = Slot{field.value, true};
  }
}

bool Fields::has(std::size_t key) const {
  return slots_[key].present && !slots_[key].value.is_null();
}

std::optional<element> Fields::value(std::size_t key, Need need) {
  const Slot& slot = slots_[key];
  if (!slot.present || slot.value.is_null()) {
    if (need == Need::required || (need == Need::nullable && !slot.present)) {
      violations_.add(path(key), "is required");
    }
    return std::nullopt;
  }
  return slot.value;
}

std::optional<std::int64_t> Fields::int64(std::size_t key, Need need) {
  const auto e = value(key, need);
  if (!e) return std::nullopt;
  return as_int64(*e, path(key), violations_);
}

std::optional<Millis> Fields::millis(std::size_t key, Need need) {
  const auto ms = int64(key, need);
  if (!ms) return std::nullopt;
  return Millis{*ms};
}

std::optional<std::string_view> Fields::string(std::size_t key, Need need) {
  const auto e = value(key, need);
  if (!e) return std::nullopt;
  std::string_view s;
  if (e->get_string().get(s)) {
    violations_.add(path(key), "must be a string");
    return std::nullopt;
  }
  return s;
}

std::optional<bool> Fields::boolean(std::size_t key, Need need) {
  const auto e = value(key, need);
  if (!e) return std::nullopt;
  bool b = false;
  if (e->get_bool().get(b)) {
    violations_.add(path(key), "must be a boolean");
    return std::nullopt;
  }
  return b;
}

std::optional<Uuid> Fields::uuid(std::size_t key, Need need) {
  const auto e = value(key, need);
  if (!e) return std::nullopt;
  std::string_view s;
  std::optional<Uuid> id;
  if (!e->get_string().get(s)) id = Uuid::parse(s);
  if (!id) violations_.add(path(key), "must be a UUID");
  return id;
}

std::optional<TimePoint> Fields::timestamp(std::size_t key, Need need) {
  const auto e = value(key, need);
  if (!e) return std::nullopt;
  std::string_view s;
  std::optional<TimePoint> t;
  if (!e->get_string().get(s)) t = parse_iso8601(s);
  if (!t) violations_.add(path(key), "must be an ISO-8601 UTC timestamp with milliseconds");
  return t;
}

std::optional<simdjson::dom::array> Fields::array(std::size_t key, Need need) {
  const auto e = value(key, need);
  if (!e) return std::nullopt;
  simdjson::dom::array a;
  if (e->get_array().get(a)) {
    violations_.add(path(key), "must be an array");
    return std::nullopt;
  }
  return a;
}

std::optional<std::string> Fields::object_text(std::size_t key, Need need) {
  const auto e = value(key, need);
  if (!e) return std::nullopt;
  if (e->type() != element_type::OBJECT) {
    violations_.add(path(key), "must be a JSON object");
    return std::nullopt;
  }
  const Path p = path(key);
  const std::size_t before = violations_.list().size();
  check_duplicate_keys(*e, p, violations_);
  if (violations_.list().size() != before) return std::nullopt;
  return simdjson::minify(*e);
}

std::optional<simdjson::dom::object> as_object(element e, const Path& path, Violations& v) {
  simdjson::dom::object o;
  if (e.get_object().get(o)) {
    v.add(path, "must be an object");
    return std::nullopt;
  }
  return o;
}

std::optional<std::int64_t> as_int64(element e, const Path& path, Violations& v) {
  // Only a JSON integer that fits int64: 1000.0 and 1e3 parse as doubles and are
  // refused, as is anything above INT64_MAX (simdjson's UINT64).
  std::int64_t x = 0;
  if (e.type() != element_type::INT64 || e.get_int64().get(x)) {
    v.add(path, "must be an integer");
    return std::nullopt;
  }
  return x;
}

void check_duplicate_keys(element e, const Path& path, Violations& v) {
  // Recursion depth is bounded by the parser's maximum nesting (1024).
  // Locals, not `for (x : e.get_object().value_unsafe())`: that would iterate a
  // reference into a temporary that is already gone.
  simdjson::dom::array array;
  if (!e.get_array().get(array)) {
    std::size_t i = 0;
    for (const element item : array) {
      const auto type = item.type();
      if (type == element_type::ARRAY || type == element_type::OBJECT) {
        check_duplicate_keys(item, path.at(i), v);
      }
      ++i;
    }
    return;
  }
  simdjson::dom::object object;
  if (e.get_object().get(object)) return;
  KeySet keys;
  for (const auto field : object) {
    if (!keys.insert(field.key)) v.add(path.child(field.key), "duplicate field");
    const auto type = field.value.type();
    if (type == element_type::ARRAY || type == element_type::OBJECT) {
      check_duplicate_keys(field.value, path.child(field.key), v);
    }
  }
}

}  // namespace sk::domain::json_detail
