// One JSON object with distinct keys. See json_object.h.
#include "server/auth/json_object.h"

#include <algorithm>
#include <vector>

namespace sk::server::auth::detail {

std::optional<simdjson::dom::object> parse_json_object(simdjson::dom::parser& parser,
                                                       std::string_view text) {
  simdjson::dom::element root;
  if (parser.parse(text.data(), text.size(), /*realloc_if_needed=*/true).get(root)) {
    return std::nullopt;
  }
  simdjson::dom::object object;
  if (root.get_object().get(object)) return std::nullopt;

  // Tokens are at most 8 KiB, so at most a few thousand keys: sorting is cheap and
  // cannot be driven quadratic.
  std::vector<std::string_view> keys;
  for (const auto field : object) keys.push_back(field.key);
  std::sort(keys.begin(), keys.end());
  if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) return std::nullopt;
  return object;
}

}  // namespace sk::server::auth::detail
