// to_row: a good record decodes into exactly the columns its event and state hold;
// a malformed one (bad JSON, an event or state the store never writes, a state that
// disagrees with the record) is refused as deserialization naming the event id.
#include "audit/audit_row.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "audit/audit_test_records.h"

namespace sk::audit {
namespace {

using namespace sk::audit::testing;
using domain::ErrorCode;

TEST(ToRow, DecodesEveryColumnOfACycleSwitch) {
  Game g(chess_request(), session_id(1));
  g.after(Millis{10}).apply(domain::StartCommand{});
  g.after(Millis{1'234}).apply(domain::SwitchCommand{});
  const AuditRecord& record = g.records().back();
  const auto row = to_row(record);
  ASSERT_TRUE(row.ok()) << row.error().message;

  EXPECT_EQ(row->event_id, session_id(1).to_string() + ":" +
                               std::to_string(domain::to_unix_ms(g.state().created_at)) + ":3:1");
  EXPECT_EQ(row->session_id, session_id(1));
  EXPECT_EQ(row->version, 3);
  EXPECT_EQ(row->event_type, "cycle_switched");
  EXPECT_EQ(row->participant_id, participant_id(1));
  EXPECT_FALSE(row->group_id);
  EXPECT_EQ(row->time_elapsed_ms, 1'234);
  EXPECT_EQ(row->time_remaining_ms, 300'000 - 1'234 + 2'000);
  EXPECT_EQ(row->cycle_number, 1);
  EXPECT_EQ(row->event_at_ms, domain::to_unix_ms(g.now()));
  EXPECT_EQ(row->state_snapshot, record.state);
  EXPECT_EQ(row->event_json, record.event);

  EXPECT_EQ(row->sync_mode, "per_participant");
  EXPECT_EQ(row->status, "running");
  EXPECT_EQ(row->created_at_ms, domain::to_unix_ms(kT0));
  EXPECT_EQ(row->updated_at_ms, domain::to_unix_ms(g.now()));
  EXPECT_EQ(row->started_at_ms, domain::to_unix_ms(kT0) + 10);
  EXPECT_FALSE(row->completed_at_ms);
  EXPECT_EQ(row->total_time_ms, 300'000);
  EXPECT_FALSE(row->time_per_cycle_ms);
  EXPECT_EQ(row->increment_ms, 2'000);
  EXPECT_FALSE(row->max_time_ms);
  EXPECT_EQ(row->time_used_ms, 1'234);
  EXPECT_EQ(row->total_cycles, 1);
  EXPECT_EQ(row->metadata, R"({"event":"club night","board":3})");
  EXPECT_FALSE(row->deleted);

  ASSERT_EQ(row->participants.size(), 2u);
  EXPECT_EQ(row->participants[0].participant_id, participant_id(1));
  EXPECT_EQ(row->participants[0].participant_index, 0);
  EXPECT_EQ(row->participants[0].total_time_ms, 300'000 - 1'234 + 2'000);
  EXPECT_EQ(row->participants[0].time_used_ms, 1'234);
  EXPECT_EQ(row->participants[0].cycle_count, 1);
  EXPECT_FALSE(row->participants[0].is_active);
  EXPECT_TRUE(row->participants[1].is_active);
  EXPECT_FALSE(row->participants[1].has_expired);
}

TEST(ToRow, AcceptsEveryRecordOfAFullGame) {
  const Game g = full_game(session_id(2));
  std::set<std::string> types;
  for (const auto& record : g.records()) {
    const auto row = to_row(record);
    ASSERT_TRUE(row.ok()) << row.error().message;
    types.insert(row->event_type);
    EXPECT_EQ(row->deleted, row->event_type == "session_deleted");
  }
  const std::set<std::string> expected{
      "session_created",     "session_started",   "cycle_switched",    "session_paused",
      "session_resumed",     "time_adjusted",     "participant_added", "participant_removed",
      "participant_expired", "session_completed", "session_deleted"};
  EXPECT_EQ(types, expected);
  const auto last = to_row(g.records().back());
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->status, "completed");
  EXPECT_TRUE(last->completed_at_ms);
}

AuditRecord good_record() { return Game(chess_request(), session_id(3)).records().front(); }

void expect_rejected(const AuditRecord& record, std::string_view mentions) {
  const auto row = to_row(record);
  ASSERT_FALSE(row.ok());
  EXPECT_EQ(row.error().code, ErrorCode::deserialization);
  EXPECT_NE(row.error().message.find(record.event_id.substr(0, 50)), std::string::npos)
      << row.error().message;
  EXPECT_NE(row.error().message.find(mentions), std::string::npos) << row.error().message;
}

TEST(ToRow, RefusesMalformedJson) {
  AuditRecord r = good_record();
  r.event = "{\"type\":";
  expect_rejected(r, "event: malformed JSON");
  r = good_record();
  r.state = "not json";
  expect_rejected(r, "state: malformed JSON");
  r = good_record();
  r.state = "{}";
  expect_rejected(r, "state: ");
  r = good_record();
  r.event = R"({"type":"session_exploded","at":"2026-01-01T00:00:00.000Z"})";
  expect_rejected(r, "event: type");
}

TEST(ToRow, RefusesARecordWhoseStateDisagrees) {
  AuditRecord r = good_record();
  r.version = 2;
  expect_rejected(r, "version");
  r = good_record();
  r.session_id = session_id(99);
  expect_rejected(r, "belongs to session");
  r = good_record();
  r.version = 0;
  expect_rejected(r, "version must be at least 1");
}

TEST(ToRows, DecodesAWholeBatchOrNamesItsFirstMalformedRecord) {
  const Game g = full_game(session_id(3));
  std::vector<AuditRecord> batch = g.records();
  const auto rows = to_rows(batch);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) EXPECT_EQ((*rows)[i].event_id, batch[i].event_id);

  batch[2].state = "not json";
  batch[4].event = "not json either";
  const auto refused = to_rows(batch);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::deserialization);
  EXPECT_NE(refused.error().message.find(batch[2].event_id), std::string::npos)
      << refused.error().message;
}

TEST(ToRow, RefusesABadEventId) {
  AuditRecord r = good_record();
  r.event_id.clear();
  const auto empty = to_row(r);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::deserialization);
  r.event_id = std::string(500, 'x');
  expect_rejected(r, "too long");
}

}  // namespace
}  // namespace sk::audit
