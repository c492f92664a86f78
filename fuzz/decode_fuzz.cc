// libFuzzer target: arbitrary bytes into every decoder of domain/json.h.
//
// Beyond "no crash, no sanitizer report", it checks properties that must hold for any
// input (a failed check aborts, which libFuzzer records as a crash):
//  - a stored session that decodes survives encode_stored_session -> decode unchanged,
//    and encode_session -> decode unchanged but for what only the stored form carries
//    (the owners' booked clocks and warnings_passed), whatever live view is attached;
//    both encode to the same text again;
//  - every decoder failure is a typed error of the documented codes; validation errors
//    that are not malformed JSON name at least one and at most 100 fields;
//  - a create request that decodes passes validate_create (the decoder validated it);
//  - append_json_string turns any bytes into a JSON string literal that parses, and
//    that parses back to the input when the input is valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "domain/json.h"
#include "domain/validation.h"

namespace {

using namespace sk::domain;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

template <typename T>
void check_request_error(const Result<T>& r) {
  if (r.ok()) return;
  const Error& e = r.error();
  require(e.code == ErrorCode::validation || e.code == ErrorCode::payload_too_large,
          "request decoder returned an unexpected error code");
  if (e.code == ErrorCode::validation && !e.message.starts_with("malformed JSON: ")) {
    require(!e.violations.empty(), "validation error without violations");
    require(e.violations.size() <= 100, "more than 100 violations");
  }
}

bool parses_as_json(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  return !parser.parse(text).get(root);
}

// A live view shaped like the session, with values derived from it, so the encoder's
// live fields are exercised and then ignored by the decoder.
LiveView live_for(const Session& s) {
  LiveView live;
  live.server_time = s.updated_at + Millis{1};
  live.deadline_at = s.cycle_started_at;
  for (const auto& p : s.participants) live.participant_remaining.emplace_back(p.total_time);
  for (const auto& g : s.groups) live.group_remaining.push_back(g.total_time);
  live.session_remaining = s.total_time;
  live.session_elapsed = s.time_used;
  if (s.time_control) {
    const auto owner = [](const OwnerClock& c) {
      return OwnerLive{.clock = c, .delay_remaining = c.turn_used};
    };
    if (s.sync_mode == SyncMode::per_group) {
      for (const auto& g : s.groups) live.group_clocks.push_back(owner(g.clock));
    } else {
      for (const auto& p : s.participants) live.participant_clocks.push_back(owner(p.clock));
    }
  }
  return live;
}

// `s` as a response shows it: without the stored-only fields.
Session as_in_a_response(Session s) {
  s.warnings_passed = 0;
  for (auto& p : s.participants) p.clock = OwnerClock{};
  for (auto& g : s.groups) g.clock = OwnerClock{};
  return s;
}

void check_session(std::string_view input) {
  const auto decoded = decode_session(input);
  if (!decoded.ok()) {
    require(decoded.error().code == ErrorCode::deserialization,
            "decode_session returned a non-deserialization error");
    return;
  }
  const Session& s = *decoded;
  const std::string stored = encode_stored_session(s);
  const auto back = decode_session(stored);
  require(back.ok(), "encode_stored_session output does not decode");
  require(*back == s, "decode(encode_stored(s)) != s");
  require(encode_stored_session(*back) == stored, "stored encoding is not stable");
  for (const LiveView& live : {LiveView{}, live_for(s)}) {
    const std::string json = encode_session(s, live);
    const auto again = decode_session(json);
    require(again.ok(), "encode_session output does not decode");
    require(*again == as_in_a_response(s), "decode(encode(s)) != s");
    require(encode_session(*again, live) == json, "encoding is not stable");
  }
  require(parses_as_json(encode_switch_result(s, live_for(s), s.active_participant_id)),
          "encode_switch_result output is not JSON");
}

void check_requests(std::string_view input) {
  const auto create = decode_create_request(input);
  check_request_error(create);
  if (create.ok()) require(validate_create(*create).empty(), "decoded create is invalid");

  check_request_error(decode_switch_request(input));
  check_request_error(decode_add_participant_request(input));

  const auto adjust = decode_adjust_time_request(input, Uuid{});
  check_request_error(adjust);
  if (adjust.ok()) {
    require(adjust->delta != Millis{0}, "adjust delta is zero");
    require(adjust->delta <= limits::kMaxAdjustment && adjust->delta >= -limits::kMaxAdjustment,
            "adjust delta out of bounds");
  }

  // A small limit exercises the size check on the same input.
  const std::size_t small = input.size() / 2;
  const auto limited = decode_create_request(input, small);
  if (input.size() > small) {
    require(!limited.ok() && limited.error().code == ErrorCode::payload_too_large,
            "max_bytes not enforced");
  }
}

void check_string_escaping(std::string_view input) {
  std::string literal;
  append_json_string(literal, input);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  require(!parser.parse(literal).get(root), "append_json_string output is not JSON");
  std::string_view back;
  require(!root.get_string().get(back), "append_json_string output is not a string");
  if (simdjson::validate_utf8(input.data(), input.size())) {
    require(back == input, "append_json_string does not round-trip valid UTF-8");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_session(input);
  check_requests(input);
  check_string_escaping(input);
  return 0;
}
