// The time-control parts of the session JSON (tc-wire.md "Responses" and "Stored
// state"): the control object, each owner's live fields, each owner's stored clock.
// Reached only by sessions with a control. No I/O here.
#include "domain/json_writer.h"
#include "domain/validation_detail.h"

namespace sk::domain::json_detail {
namespace {

bool has_stages(const TimeControl& tc) {
  return !tc.stages.empty() && detail::has_field(tc.type, detail::ControlField::stages);
}

}  // namespace

// The per-owner live fields of SPEC §2 "Time controls", each only where its control
// has it (tc-wire.md: "Per-owner live fields").
void append_owner_live(std::string& out, const TimeControl& tc, const OwnerLive& live) {
  const OwnerClock& c = live.clock;
  const bool overtime = tc.type == TimeControlType::byoyomi || tc.type == TimeControlType::canadian;
  if (overtime) {
    out.append(R"(,"in_overtime":)");
    append_bool(out, c.in_overtime);
  }
  if (tc.type == TimeControlType::byoyomi) {
    append_key_int(out, R"(,"periods_left":)", c.periods_left);
  }
  if (overtime) append_key_int(out, R"(,"period_remaining_ms":)", c.period_left.count());
  if (tc.type == TimeControlType::canadian) {
    append_key_int(out, R"(,"moves_left_in_period":)", c.moves_left);
  }
  if ((tc.type == TimeControlType::bronstein || tc.type == TimeControlType::delay) &&
      live.delay_remaining) {
    append_key_int(out, R"(,"delay_remaining_ms":)", live.delay_remaining->count());
  }
  if (has_stages(tc)) {
    append_key_int(out, R"(,"stage_index":)", c.stage_index);
    // Stage i ends after moves[0] + ... + moves[i] moves; the last stage never ends.
    const auto stage_count = static_cast<std::int64_t>(tc.stages.size());
    if (c.stage_index >= 0 && c.stage_index + 1 < stage_count) {
      std::int64_t stage_end = 0;
      for (std::int64_t k = 0; k <= c.stage_index; ++k) {
        stage_end += tc.stages[static_cast<std::size_t>(k)].moves.value_or(0);
      }
      append_key_int(out, R"(,"moves_to_next_stage":)", stage_end - c.moves);
    }
  }
  if (tc.lag_compensation) append_key_int(out, R"(,"lag_quota_ms":)", c.lag_quota.count());
}

// The stored `clock` object: every field, always, so it reads back exactly.
void append_owner_clock(std::string& out, const OwnerClock& c) {
  append_key_int(out, R"(,"clock":{"turn_used_ms":)", c.turn_used.count());
  out.append(R"(,"in_overtime":)");
  append_bool(out, c.in_overtime);
  append_key_int(out, R"(,"periods_left":)", c.periods_left);
  append_key_int(out, R"(,"period_left_ms":)", c.period_left.count());
  append_key_int(out, R"(,"moves_left":)", c.moves_left);
  append_key_int(out, R"(,"stage_index":)", c.stage_index);
  append_key_int(out, R"(,"moves":)", c.moves);
  append_key_int(out, R"(,"lag_quota_ms":)", c.lag_quota.count());
  append_key_int(out, R"(,"lag_gain_ms":)", c.lag_gain.count());
  out.push_back('}');
}

// The control as the create body names it: its type's fields only, stages when it
// has them, lag_compensation when on (decode_session reads exactly this back).
void append_time_control(std::string& out, const TimeControl& tc) {
  out.append(R"(,"time_control":{"type":)");
  append_name(out, to_string(tc.type));
  switch (tc.type) {
    case TimeControlType::fischer:
      append_key_int(out, R"(,"increment_ms":)", tc.increment.count());
      break;
    case TimeControlType::bronstein:
    case TimeControlType::delay: append_key_int(out, R"(,"delay_ms":)", tc.delay.count()); break;
    case TimeControlType::byoyomi:
      append_key_int(out, R"(,"periods":)", tc.periods);
      append_key_int(out, R"(,"period_ms":)", tc.period.count());
      append_key_int(out, R"(,"increment_ms":)", tc.increment.count());
      break;
    case TimeControlType::canadian:
      append_key_int(out, R"(,"moves":)", tc.moves);
      append_key_int(out, R"(,"period_ms":)", tc.period.count());
      break;
    case TimeControlType::hourglass: break;
  }
  if (has_stages(tc)) {
    out.append(R"(,"stages":[)");
    for (std::size_t i = 0; i < tc.stages.size(); ++i) {
      const Stage& st = tc.stages[i];
      out.append(i == 0 ? "{" : ",{");
      if (st.moves) append_key_int(out, R"("moves":)", *st.moves);
      append_key_int(out, st.moves ? R"(,"add_ms":)" : R"("add_ms":)", st.add.count());
      if (st.increment) append_key_int(out, R"(,"increment_ms":)", st.increment->count());
      if (st.delay) append_key_int(out, R"(,"delay_ms":)", st.delay->count());
      out.push_back('}');
    }
    out.push_back(']');
  }
  if (tc.lag_compensation) out.append(R"(,"lag_compensation":true)");
  out.push_back('}');
}

}  // namespace sk::domain::json_detail
