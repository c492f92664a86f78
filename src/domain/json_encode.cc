// The JSON writer for sessions and switch results: on the hot path of every response
// and every stored state, so it appends to one reserved std::string with literal key
// fragments and std::to_chars, and never goes through fmt or iostreams.
//
// Field order and null-versus-absent follow SPEC §2 exactly; json_decode_session.cc
// reads this output back (live fields ignored). A session with a time control shows
// each owner's live control fields in responses and its booked `clock` in the stored
// form (tc-wire.md); a session without one costs one null check per owner and is
// written byte for byte as before. No I/O here.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "domain/json.h"
#include "domain/json_writer.h"

namespace sk::domain {
namespace {

using json_detail::append_bool;
using json_detail::append_int;
using json_detail::append_key_int;
using json_detail::append_ms;
using json_detail::append_name;

void append_uuid(std::string& out, const Uuid& id) {
  out.push_back('"');
  id.append_to(out);
  out.push_back('"');
}

void append_uuid_or_null(std::string& out, const std::optional<Uuid>& id) {
  if (id) {
    append_uuid(out, *id);
  } else {
    out.append("null");
  }
}

void append_time(std::string& out, TimePoint t) {
  out.push_back('"');
  append_iso8601(out, t);
  out.push_back('"');
}

void append_time_or_null(std::string& out, const std::optional<TimePoint>& t) {
  if (t) {
    append_time(out, *t);
  } else {
    out.append("null");
  }
}

// Rough upper sizes, so one reserve() covers a typical response.
constexpr std::size_t kSessionBytes = 640;
constexpr std::size_t kParticipantBytes = 280;
constexpr std::size_t kGroupBytes = 260;
// A session with a time control: the control itself, and per owner its live fields
// or stored clock (~200 bytes written out in full).
constexpr std::size_t kControlBytes = 400;
constexpr std::size_t kOwnerClockBytes = 200;

// Live values travel as pointers (null: omit), not optionals: GCC 12 -O2 reports
// copies of std::optional<duration> as maybe-uninitialized (a false positive). The
// live view is built by the engine for the same session, so its vectors match the
// session's; a shorter one (a caller bug) only omits the live value, never reads past.
const Millis* participant_remaining(const LiveView& live, std::size_t i) {
  if (i < live.participant_remaining.size() && live.participant_remaining[i]) {
    return &*live.participant_remaining[i];
  }
  return nullptr;
}

const Millis* group_remaining(const LiveView& live, std::size_t i) {
  return i < live.group_remaining.size() ? &live.group_remaining[i] : nullptr;
}

// The object's booked fields, up to has_expired. The caller closes it, after what a
// time control adds; so a session without one runs the loop it always ran.
void append_participant_fields(std::string& out, const Participant& p, const Millis* remaining) {
  out.append(R"({"participant_id":)");
  append_uuid(out, p.participant_id);
  out.append(R"(,"participant_index":)");
  append_int(out, p.participant_index);
  if (p.group_id) {
    out.append(R"(,"group_id":)");
    append_uuid(out, *p.group_id);
  }
  out.append(R"(,"total_time_ms":)");
  append_ms(out, p.total_time);
  out.append(R"(,"time_used_ms":)");
  append_ms(out, p.time_used);
  if (remaining) {
    out.append(R"(,"time_remaining_ms":)");
    append_ms(out, *remaining);
  }
  out.append(R"(,"cycle_count":)");
  append_int(out, p.cycle_count);
  out.append(R"(,"is_active":)");
  append_bool(out, p.is_active);
  out.append(R"(,"has_expired":)");
  append_bool(out, p.has_expired);
}

void append_group_fields(std::string& out, const Group& g, const Millis* remaining) {
  out.append(R"({"group_id":)");
  append_uuid(out, g.group_id);
  out.append(R"(,"total_time_ms":)");
  append_ms(out, g.total_time);
  out.append(R"(,"time_used_ms":)");
  append_ms(out, g.time_used);
  if (remaining) {
    out.append(R"(,"time_remaining_ms":)");
    append_ms(out, *remaining);
  }
  out.append(R"(,"cycle_count":)");
  append_int(out, g.cycle_count);
  out.append(R"(,"has_expired":)");
  append_bool(out, g.has_expired);
  if (g.last_participant_id) {
    out.append(R"(,"last_participant_id":)");
    append_uuid(out, *g.last_participant_id);
  }
}

// What a time control adds to an owner object: its live fields in a response (when
// the live view has them), its booked clock in the stored form.
void append_owner_control(std::string& out, const TimeControl& tc, const OwnerLive* live,
                          const OwnerClock* stored_clock) {
  if (stored_clock) {
    json_detail::append_owner_clock(out, *stored_clock);
  } else if (live) {
    json_detail::append_owner_live(out, tc, *live);
  }
}

// per_group with a control: each participant shows its team's live clock. Teams are
// usually few and a scan is cheapest; past kScanGroups a sorted index keeps a session
// of 1000 one-member teams from costing a million id comparisons per response.
class TeamClocks {
 public:
  static constexpr std::size_t kScanGroups = 8;

  TeamClocks(const Session& s, const LiveView& live) : s_(s), live_(live) {
    if (s.groups.size() <= kScanGroups) return;
    index_.reserve(s.groups.size());
    for (std::size_t g = 0; g < s.groups.size(); ++g) index_.emplace_back(s.groups[g].group_id, g);
    std::sort(index_.begin(), index_.end());
  }

  const OwnerLive* of(const Participant& p) const {
    if (!p.group_id) return nullptr;
    std::size_t g = s_.groups.size();
    if (index_.empty()) {
      for (std::size_t k = 0; k < s_.groups.size(); ++k) {
        if (s_.groups[k].group_id == *p.group_id) {
          g = k;
          break;
        }
      }
    } else {
      const auto it = std::lower_bound(
          index_.begin(), index_.end(), *p.group_id,
          [](const std::pair<Uuid, std::size_t>& e, const Uuid& id) { return e.first < id; });
      if (it != index_.end() && it->first == *p.group_id) g = it->second;
    }
    return g < live_.group_clocks.size() ? &live_.group_clocks[g] : nullptr;
  }

 private:
  const Session& s_;
  const LiveView& live_;
  std::vector<std::pair<Uuid, std::size_t>> index_;
};

// `stored`: the booked clocks instead of the live fields. One call site for the
// fields, so the compiler keeps inlining them into the loop (~6 % of the encoder).
void append_participants(std::string& out, const Session& s, const LiveView& live, bool stored) {
  const TimeControl* tc = s.time_control ? &*s.time_control : nullptr;
  // per_group: each member shows its team's clock.
  std::optional<TeamClocks> teams;
  if (tc && !stored && s.sync_mode == SyncMode::per_group) teams.emplace(s, live);
  out.push_back('[');
  for (std::size_t i = 0; i < s.participants.size(); ++i) {
    if (i > 0) out.push_back(',');
    const Participant& p = s.participants[i];
    append_participant_fields(out, p, participant_remaining(live, i));
    if (tc) {
      const OwnerLive* owner = nullptr;
      if (teams) {
        owner = teams->of(p);
      } else if (i < live.participant_clocks.size()) {
        owner = &live.participant_clocks[i];
      }
      append_owner_control(out, *tc, owner, stored ? &p.clock : nullptr);
    }
    out.push_back('}');
  }
  out.push_back(']');
}

void append_groups(std::string& out, const Session& s, const LiveView& live, bool stored) {
  const TimeControl* tc = s.time_control ? &*s.time_control : nullptr;
  out.push_back('[');
  for (std::size_t i = 0; i < s.groups.size(); ++i) {
    if (i > 0) out.push_back(',');
    const Group& g = s.groups[i];
    append_group_fields(out, g, group_remaining(live, i));
    if (tc) {
      const OwnerLive* owner = i < live.group_clocks.size() ? &live.group_clocks[i] : nullptr;
      append_owner_control(out, *tc, owner, stored ? &g.clock : nullptr);
    }
    out.push_back('}');
  }
  out.push_back(']');
}

std::size_t estimate(const Session& s) {
  std::size_t bytes = kSessionBytes + s.participants.size() * kParticipantBytes +
                      s.groups.size() * kGroupBytes + (s.metadata ? s.metadata->size() : 0);
  if (s.time_control) {
    bytes += kControlBytes + (s.participants.size() + s.groups.size()) * kOwnerClockBytes;
  }
  return bytes;
}

void append_escaped_char(std::string& out, unsigned char c) {
  switch (c) {
    case '"': out.append("\\\""); return;
    case '\\': out.append("\\\\"); return;
    case '\b': out.append("\\b"); return;
    case '\f': out.append("\\f"); return;
    case '\n': out.append("\\n"); return;
    case '\r': out.append("\\r"); return;
    case '\t': out.append("\\t"); return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0x0f]};
      out.append(esc, sizeof esc);
    }
  }
}

// Length of the well-formed UTF-8 sequence starting at text[i] (RFC 3629: no
// overlongs, no surrogates, nothing above U+10FFFF), or 0 if it is not one.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b0 = byte(i);
  const std::size_t left = text.size() - i;
  const auto cont = [&](std::size_t k) { return (byte(i + k) & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF) return left >= 2 && cont(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (left < 3 || !cont(1) || !cont(2)) return 0;
    const unsigned char b1 = byte(i + 1);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;  // overlong
    if (b0 == 0xED && b1 > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (left < 4 || !cont(1) || !cont(2) || !cont(3)) return 0;
    const unsigned char b1 = byte(i + 1);
    if (b0 == 0xF0 && b1 < 0x90) return 0;  // overlong
    if (b0 == 0xF4 && b1 > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  // Runs of plain ASCII are copied whole; only quotes, backslashes, control
  // characters and multi-byte sequences are looked at one by one. Text that is not
  // well-formed UTF-8 (it cannot come from a parsed body, but a caller could pass it)
  // becomes U+FFFD per bad byte, so the output is always valid JSON.
  out.reserve(out.size() + text.size() + 2);
  out.push_back('"');
  std::size_t run = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(text.data() + run, i - run);
    if (c < 0x80) {
      append_escaped_char(out, c);
      ++i;
    } else if (const std::size_t n = utf8_sequence_length(text, i); n > 0) {
      out.append(text.data() + i, n);
      i += n;
    } else {
      out.append("\\ufffd");
      ++i;
    }
    run = i;
  }
  out.append(text.data() + run, text.size() - run);
  out.push_back('"');
}

namespace {

// The session object; `stored`: without the live fields (deadline_at, server_time_ms
// and the remainders), which decode_session ignores and a stored copy cannot keep true.
void append_session_fields(std::string& out, const Session& s, const LiveView& live, bool stored) {
  out.reserve(out.size() + estimate(s));
  out.append(R"({"session_id":)");
  append_uuid(out, s.session_id);
  out.append(R"(,"sync_mode":)");
  append_name(out, to_string(s.sync_mode));
  out.append(R"(,"status":)");
  append_name(out, to_string(s.status));
  out.append(R"(,"version":)");
  append_int(out, s.version);
  if (!s.epoch.empty()) {  // omitted for states stored before epochs existed
    out.append(R"(,"epoch":)");
    append_json_string(out, s.epoch);
  }
  out.append(R"(,"participants":)");
  append_participants(out, s, live, stored);
  if (s.sync_mode == SyncMode::per_group) {
    out.append(R"(,"groups":)");
    append_groups(out, s, live, stored);
  }
  out.append(R"(,"active_participant_id":)");
  append_uuid_or_null(out, s.active_participant_id);
  out.append(R"(,"total_time_ms":)");
  append_ms(out, s.total_time);
  out.append(R"(,"time_per_cycle_ms":)");
  if (s.time_per_cycle) {
    append_ms(out, *s.time_per_cycle);
  } else {
    out.append("null");
  }
  out.append(R"(,"increment_ms":)");
  append_ms(out, s.increment);
  if (s.max_time) {
    out.append(R"(,"max_time_ms":)");
    append_ms(out, *s.max_time);
  }
  out.append(R"(,"action_on_timeout":)");
  append_name(out, to_string(s.action_on_timeout));
  // Added with issue 17, each omitted when unset so the original's clients (and the
  // encodings of every session without them) see nothing new.
  if (s.time_control) json_detail::append_time_control(out, *s.time_control);
  if (!s.warnings.empty()) {
    out.append(R"(,"warnings_ms":[)");
    for (std::size_t i = 0; i < s.warnings.size(); ++i) {
      if (i > 0) out.push_back(',');
      append_ms(out, s.warnings[i]);
    }
    out.push_back(']');
  }
  if (stored && s.warnings_passed != 0) {
    append_key_int(out, R"(,"warnings_passed":)", static_cast<std::int64_t>(s.warnings_passed));
  }
  if (s.start_at) {
    out.append(R"(,"start_at":)");
    append_time(out, *s.start_at);
  }
  out.append(R"(,"cycle_started_at":)");
  append_time_or_null(out, s.cycle_started_at);
  out.append(R"(,"session_started_at":)");
  append_time_or_null(out, s.session_started_at);
  out.append(R"(,"session_completed_at":)");
  append_time_or_null(out, s.session_completed_at);
  out.append(R"(,"created_at":)");
  append_time(out, s.created_at);
  out.append(R"(,"updated_at":)");
  append_time(out, s.updated_at);
  if (!stored) {
    out.append(R"(,"deadline_at":)");
    append_time_or_null(out, live.deadline_at);
    out.append(R"(,"server_time_ms":)");
    append_int(out, to_unix_ms(live.server_time));
  }
  out.append(R"(,"time_used_ms":)");
  append_ms(out, s.time_used);
  if (live.session_remaining) {
    out.append(R"(,"time_remaining_ms":)");
    append_ms(out, *live.session_remaining);
  }
  if (live.session_elapsed) {
    out.append(R"(,"time_elapsed_ms":)");
    append_ms(out, *live.session_elapsed);
  }
  if (s.metadata) {
    // Compact JSON object text, produced by the decoder from a parsed body.
    out.append(R"(,"metadata":)");
    out.append(*s.metadata);
  }
  out.push_back('}');
}

}  // namespace

void append_session_json(std::string& out, const Session& s, const LiveView& live) {
  append_session_fields(out, s, live, false);
}

std::string encode_session(const Session& session, const LiveView& live) {
  std::string out;
  append_session_json(out, session, live);
  return out;
}

std::string encode_switch_result(const Session& s, const LiveView& live,
                                 const std::optional<Uuid>& expired_participant_id) {
  std::string out;
  out.reserve(kSessionBytes + s.participants.size() *
                                  (kParticipantBytes + (s.time_control ? kOwnerClockBytes : 0)));
  out.append(R"({"session_id":)");
  append_uuid(out, s.session_id);
  out.append(R"(,"active_participant_id":)");
  append_uuid_or_null(out, s.active_participant_id);
  out.append(R"(,"cycle_started_at":)");
  append_time_or_null(out, s.cycle_started_at);
  out.append(R"(,"participants":)");
  append_participants(out, s, live, false);
  out.append(R"(,"status":)");
  append_name(out, to_string(s.status));
  out.append(R"(,"version":)");
  append_int(out, s.version);
  if (!s.epoch.empty()) {
    out.append(R"(,"epoch":)");
    append_json_string(out, s.epoch);
  }
  out.append(R"(,"deadline_at":)");
  append_time_or_null(out, live.deadline_at);
  out.append(R"(,"server_time_ms":)");
  append_int(out, to_unix_ms(live.server_time));
  if (expired_participant_id) {
    out.append(R"(,"expired_participant_id":)");
    append_uuid(out, *expired_participant_id);
  }
  out.push_back('}');
  return out;
}

std::string encode_stored_session(const Session& session) {
  // No live fields: a smaller state to store, stream and snapshot (issue 16). Copies
  // stored before carry deadline_at null and server_time_ms 0, which decode_session
  // ignores, as it ignores their absence.
  std::string out;
  append_session_fields(out, session, LiveView{}, true);
  return out;
}

std::string encode_event(const Event& e) {
  std::string out;
  out.reserve(256);
  out.append(R"({"type":)");
  append_name(out, to_string(e.type));
  out.append(R"(,"at":)");
  append_time(out, e.at);
  if (e.participant_id) {
    out.append(R"(,"participant_id":)");
    append_uuid(out, *e.participant_id);
  }
  if (e.group_id) {
    out.append(R"(,"group_id":)");
    append_uuid(out, *e.group_id);
  }
  const auto ms_field = [&](std::string_view key, const std::optional<Millis>& v) {
    if (!v) return;
    out.append(R"(,")");
    out.append(key);
    out.append(R"(":)");
    append_ms(out, *v);
  };
  ms_field("time_remaining_ms", e.time_remaining);
  ms_field("time_elapsed_ms", e.time_elapsed);
  if (e.cycle_count) {
    out.append(R"(,"cycle_count":)");
    append_int(out, *e.cycle_count);
  }
  ms_field("delta_ms", e.delta);
  if (e.reason) {
    out.append(R"(,"reason":)");
    append_json_string(out, *e.reason);
  }
  if (e.action) {
    out.append(R"(,"action":)");
    append_name(out, to_string(*e.action));
  }
  if (e.expected_version) {
    out.append(R"(,"expected_version":)");
    append_int(out, *e.expected_version);
  }
  if (e.found_version) {
    out.append(R"(,"found_version":)");
    append_int(out, *e.found_version);
  }
  if (e.periods_left) append_key_int(out, R"(,"periods_left":)", *e.periods_left);
  if (e.stage_index) append_key_int(out, R"(,"stage_index":)", *e.stage_index);
  ms_field("lag_quota_ms", e.lag_quota);
  ms_field("threshold_ms", e.threshold);
  out.push_back('}');
  return out;
}

}  // namespace sk::domain
