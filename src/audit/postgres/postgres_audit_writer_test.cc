// PostgresAuditWriter against a real PostgreSQL: every event type lands with its
// columns, writes are idempotent and summaries move only forward (also across
// deletion and re-creation), latest_state() is what recovery needs, and each kind of
// failure is classified as the queue expects (unavailable / rejected / failed), with
// the writer surviving a database restart.
#include "audit/postgres/postgres_audit_writer.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "audit/audit_row.h"
#include "audit/audit_test_records.h"
#include "audit/postgres/migrations.h"
#include "audit/postgres/postgres_test_support.h"
#include "domain/json.h"

namespace sk::audit::postgres {
namespace {

using namespace sk::audit::testing;
using testing::PostgresServerFixture;
using testing::PostgresTest;
using Rows = PostgresServerFixture::Rows;

class Writer : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    const auto migrated = migrate(conninfo());
    ASSERT_TRUE(migrated.ok()) << migrated.error().message;
    writer_ = std::make_unique<PostgresAuditWriter>(conninfo());
  }

  void write_ok(std::span<const AuditRecord> batch) {
    const AuditStatus status = writer_->write(batch);
    ASSERT_FALSE(status) << status->message;
  }

  std::optional<std::string> latest(const Uuid& id) {
    auto r = writer_->latest_state(id);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : std::nullopt;
  }

  // `got` holds the same session as `want` (the text as recorded). Compared as
  // sessions, and their metadata as JSON: what matters is the state, not its spelling
  // (json keeps the text exactly; StoresEveryEventTypeWithItsColumns checks that).
  void expect_same_state(const std::optional<std::string>& got, const std::string& want) {
    ASSERT_TRUE(got) << "no state";
    auto a = domain::decode_session(*got);
    auto b = domain::decode_session(want);
    ASSERT_TRUE(a.ok()) << a.error().message;
    ASSERT_TRUE(b.ok()) << b.error().message;
    ASSERT_EQ(a->metadata.has_value(), b->metadata.has_value());
    if (a->metadata) {
      EXPECT_EQ(scalar("SELECT '" + *a->metadata + "'::jsonb = '" + *b->metadata + "'::jsonb"),
                "t");
    }
    a->metadata.reset();
    b->metadata.reset();
    EXPECT_EQ(*a, *b);
  }

  // Milliseconds since the epoch of a timestamptz column, as text.
  static std::string ms(const std::string& column) {
    return "(extract(epoch from " + column + ") * 1000)::bigint";
  }

  std::unique_ptr<PostgresAuditWriter> writer_;
};

TEST_F(Writer, PingsAndKnowsNothingOfANewSession) {
  EXPECT_TRUE(writer_->ping());
  EXPECT_EQ(latest(session_id(1)), std::nullopt);
  EXPECT_FALSE(writer_->write({}));
}

TEST_F(Writer, StoresEveryEventTypeWithItsColumns) {
  using namespace domain;
  std::vector<AuditRecord> all;
  const Game full = full_game(session_id(1));
  all.insert(all.end(), full.records().begin(), full.records().end());

  Game cancelled(chess_request(), session_id(2));
  cancelled.after(Millis{5}).apply(StartCommand{}).after(Millis{5}).apply(CancelCommand{});
  all.insert(all.end(), cancelled.records().begin(), cancelled.records().end());

  CreateSessionRequest per_cycle = chess_request();
  per_cycle.sync_mode = SyncMode::per_cycle;
  per_cycle.total_time.reset();
  per_cycle.increment = Millis{0};
  per_cycle.time_per_cycle = Millis{10'000};
  Game cycles(per_cycle, session_id(3));
  cycles.after(Millis{1}).apply(StartCommand{}).after(Millis{10'500}).apply(PauseCommand{});
  all.insert(all.end(), cycles.records().begin(), cycles.records().end());

  CreateSessionRequest global = chess_request();
  global.sync_mode = SyncMode::global;
  global.increment = Millis{0};
  global.total_time = Millis{5'000};
  Game expired(global, session_id(4));
  expired.after(Millis{1}).apply(StartCommand{}).after(Millis{6'000}).apply(TimeoutCommand{});
  all.insert(all.end(), expired.records().begin(), expired.records().end());

  write_ok(all);

  EXPECT_EQ(scalar("SELECT count(*) FROM sync_events"), std::to_string(all.size()));
  std::set<std::string> types;
  for (const auto& row : query("SELECT DISTINCT event_type FROM sync_events")) {
    types.insert(row[0]);
  }
  std::set<std::string> every;
  for (int t = 0; t <= static_cast<int>(EventType::session_deleted); ++t) {
    every.insert(std::string(to_string(static_cast<EventType>(t))));
  }
  EXPECT_EQ(types, every);

  // Every row holds exactly its record's columns.
  for (const AuditRecord& record : all) {
    const auto row = to_row(record);
    ASSERT_TRUE(row.ok());
    const Rows got = query(
        "SELECT session_id, version, event_type, coalesce(participant_id::text, '-'), "
        "coalesce(group_id::text, '-'), coalesce(time_remaining_ms::text, '-'), "
        "coalesce(time_elapsed_ms::text, '-'), coalesce(cycle_number::text, '-'), " +
        ms("\"timestamp\"") + ", " + ms("recorded_at") + ", state_snapshot::text = '" +
        record.state + "', metadata::text = '" + record.event + "' FROM sync_events WHERE id = '" +
        record.event_id + "'");
    ASSERT_EQ(got.size(), 1u) << record.event_id;
    const auto opt = [](const auto& v) { return v ? std::to_string(*v) : std::string("-"); };
    const Rows want{{record.session_id.to_string(), std::to_string(record.version), row->event_type,
                     row->participant_id ? row->participant_id->to_string() : "-",
                     row->group_id ? row->group_id->to_string() : "-", opt(row->time_remaining_ms),
                     opt(row->time_elapsed_ms), opt(row->cycle_number),
                     std::to_string(row->event_at_ms), std::to_string(row->updated_at_ms), "t",
                     "t"}};
    EXPECT_EQ(got, want) << record.event_id << " " << record.event;
  }
  EXPECT_EQ(scalar("SELECT metadata->>'reason' FROM sync_events WHERE event_type = "
                   "'time_adjusted'"),
            "penalty");
  EXPECT_EQ(scalar("SELECT metadata->>'action' FROM sync_events WHERE event_type = "
                   "'cycle_expired'"),
            "auto_advance");

  // Summaries: the newest state of each session.
  const Rows sessions = query(
      "SELECT session_id, sync_mode, final_status, last_version, deleted_at IS NOT NULL, "
      "total_participants, started_at IS NOT NULL, completed_at IS NOT NULL, "
      "metadata->>'event' FROM sync_sessions ORDER BY session_id");
  const Rows want_sessions{
      {session_id(1).to_string(), "per_participant", "completed",
       std::to_string(full.state().version), "t", "3", "t", "t", "club night"},
      {session_id(2).to_string(), "per_participant", "cancelled",
       std::to_string(cancelled.state().version), "f", "2", "t", "t", "club night"},
      {session_id(3).to_string(), "per_cycle", "paused", std::to_string(cycles.state().version),
       "f", "2", "t", "f", "club night"},
      {session_id(4).to_string(), "global", "expired", std::to_string(expired.state().version), "f",
       "2", "t", "t", "club night"}};
  EXPECT_EQ(sessions, want_sessions);
  EXPECT_EQ(scalar("SELECT " + ms("deleted_at") + " FROM sync_sessions WHERE session_id = '" +
                   session_id(1).to_string() + "'"),
            std::to_string(domain::to_unix_ms(full.now())));
  EXPECT_EQ(scalar("SELECT time_used_ms FROM sync_sessions WHERE session_id = '" +
                   session_id(1).to_string() + "'"),
            std::to_string(full.state().time_used.count()));

  // Participants: one row per participant ever listed; the removed one keeps its last.
  EXPECT_EQ(scalar("SELECT count(*) FROM sync_participants WHERE session_id = '" +
                   session_id(1).to_string() + "'"),
            "4");
  for (const auto& p : full.state().participants) {
    const Rows got = query(
        "SELECT participant_index, total_time_ms, time_used_ms, cycle_count, is_active, "
        "has_expired, last_version FROM sync_participants WHERE participant_id = '" +
        p.participant_id.to_string() + "' AND session_id = '" + session_id(1).to_string() + "'");
    const Rows want{{std::to_string(p.participant_index), std::to_string(p.total_time.count()),
                     std::to_string(p.time_used.count()), std::to_string(p.cycle_count),
                     p.is_active ? "t" : "f", p.has_expired ? "t" : "f",
                     std::to_string(full.state().version)}};
    EXPECT_EQ(got, want) << p.participant_id.to_string();
  }
}

TEST_F(Writer, TheSameBatchTwiceAddsNothing) {
  const Game g = full_game(session_id(1));
  write_ok(g.records());
  const Rows before = query("SELECT * FROM sync_sessions");
  const Rows participants = query("SELECT * FROM sync_participants ORDER BY participant_id");
  write_ok(g.records());
  // Also redelivered piecemeal, out of order.
  for (auto it = g.records().rbegin(); it != g.records().rend(); ++it) write_ok({&*it, 1});
  EXPECT_EQ(scalar("SELECT count(*) FROM sync_events"), std::to_string(g.records().size()));
  EXPECT_EQ(query("SELECT * FROM sync_sessions"), before);
  EXPECT_EQ(query("SELECT * FROM sync_participants ORDER BY participant_id"), participants);
}

TEST_F(Writer, AnOlderRecordDoesNotMoveTheSummaryBack) {
  Game g(chess_request(), session_id(1));
  g.after(Millis{10}).apply(domain::StartCommand{});
  g.after(Millis{1'000}).apply(domain::SwitchCommand{});
  g.after(Millis{1'000}).apply(domain::SwitchCommand{});
  const auto& r = g.records();
  write_ok({&r.back(), 1});
  const Rows summary = query("SELECT * FROM sync_sessions");
  const Rows participants = query("SELECT * FROM sync_participants ORDER BY participant_id");
  write_ok({r.data(), r.size() - 1});  // the older ones, late
  EXPECT_EQ(query("SELECT * FROM sync_sessions"), summary);
  EXPECT_EQ(query("SELECT * FROM sync_participants ORDER BY participant_id"), participants);
  EXPECT_EQ(scalar("SELECT last_version FROM sync_sessions"), "4");
  EXPECT_EQ(scalar("SELECT count(*) FROM sync_events"), std::to_string(r.size()));
  expect_same_state(latest(session_id(1)), r.back().state);
}

TEST_F(Writer, ABatchOfManySessionsKeepsTheNewestSummaryOfEach) {
  std::vector<Game> games;
  for (std::uint32_t i = 1; i <= 20; ++i) {
    Game g(chess_request(), session_id(i), kT0 + Millis{i});
    g.after(Millis{10}).apply(domain::StartCommand{});
    for (std::uint32_t k = 0; k < i % 5; ++k) g.after(Millis{100}).apply(domain::SwitchCommand{});
    games.push_back(std::move(g));
  }
  // Interleaved: each session's records scattered through the batch.
  std::vector<AuditRecord> batch;
  for (std::size_t step = 0;; ++step) {
    bool any = false;
    for (const auto& g : games) {
      if (step < g.records().size()) {
        batch.push_back(g.records()[step]);
        any = true;
      }
    }
    if (!any) break;
  }
  write_ok(batch);
  for (const auto& g : games) {
    EXPECT_EQ(scalar("SELECT last_version FROM sync_sessions WHERE session_id = '" +
                     g.state().session_id.to_string() + "'"),
              std::to_string(g.state().version));
    expect_same_state(latest(g.state().session_id), g.records().back().state);
  }
}

TEST_F(Writer, LatestStateIsTheNewestSnapshotAndReadsBack) {
  Game g(chess_request(), session_id(1));
  g.after(Millis{10}).apply(domain::StartCommand{});
  write_ok(g.records());
  expect_same_state(latest(session_id(1)), g.records().back().state);
  EXPECT_EQ(latest(session_id(2)), std::nullopt);
}

TEST_F(Writer, ADeletedSessionHasNoStateUntilItIsCreatedAgain) {
  Game g(chess_request(), session_id(1));
  g.after(Millis{10}).apply(domain::StartCommand{});
  g.after(Millis{50}).remove();
  write_ok(g.records());
  EXPECT_EQ(latest(session_id(1)), std::nullopt);
  EXPECT_EQ(scalar("SELECT deleted_at IS NOT NULL FROM sync_sessions"), "t");

  // A late redelivery of an older record does not bring it back.
  write_ok({&g.records()[1], 1});
  EXPECT_EQ(latest(session_id(1)), std::nullopt);

  // The same id created again, later: a new life. Its event ids differ from the first
  // life's by the creation time in them ("<session>:<created>:<version>:<n>"), so they
  // are not taken for redeliveries.
  Game again(chess_request(2, Millis{60'000}), session_id(1), g.now() + Millis{100});
  ASSERT_NE(again.records().front().event_id, g.records().front().event_id);
  write_ok(again.records());
  EXPECT_EQ(scalar("SELECT deleted_at IS NULL FROM sync_sessions"), "t");
  EXPECT_EQ(scalar("SELECT final_status || ' ' || last_version || ' ' || "
                   "(started_at IS NULL) FROM sync_sessions"),
            "pending 1 true");
  const auto state = latest(session_id(1));
  ASSERT_TRUE(state);
  EXPECT_EQ(domain::decode_session(*state)->total_time, Millis{60'000});

  // And deleted again, in one batch with its start.
  again.after(Millis{10}).apply(domain::StartCommand{}).after(Millis{10}).remove();
  const auto& rest = again.records();
  write_ok(std::span(rest).subspan(1));
  EXPECT_EQ(latest(session_id(1)), std::nullopt);
  EXPECT_EQ(scalar("SELECT " + ms("deleted_at") + " FROM sync_sessions"),
            std::to_string(domain::to_unix_ms(again.now())));
}

TEST_F(Writer, AMalformedRecordRejectsTheBatchNamingIt) {
  const Game g = full_game(session_id(1));
  std::vector<AuditRecord> batch = g.records();
  batch[3].state = "{\"session_id\":";
  const AuditStatus status = writer_->write(batch);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->kind, AuditFailure::rejected);
  EXPECT_NE(status->message.find(batch[3].event_id), std::string::npos) << status->message;
  EXPECT_EQ(scalar("SELECT count(*) FROM sync_events"), "0");

  AuditRecord zero = g.records()[0];
  zero.version = 0;
  const AuditStatus version0 = writer_->write({&zero, 1});
  ASSERT_TRUE(version0);
  EXPECT_EQ(version0->kind, AuditFailure::rejected);
}

TEST_F(Writer, AConstraintViolationIsRejectedAndNothingIsWritten) {
  query(
      "ALTER TABLE sync_events ADD CONSTRAINT no_pauses CHECK (event_type <> "
      "'session_paused')");
  const Game g = full_game(session_id(1));
  const AuditStatus status = writer_->write(g.records());
  ASSERT_TRUE(status);
  EXPECT_EQ(status->kind, AuditFailure::rejected) << status->message;
  EXPECT_NE(status->message.find("23514"), std::string::npos) << status->message;
  EXPECT_NE(status->message.find("no_pauses"), std::string::npos) << status->message;
  EXPECT_EQ(scalar("SELECT count(*) FROM sync_events"), "0");
  EXPECT_EQ(scalar("SELECT count(*) FROM sync_sessions"), "0");
  EXPECT_EQ(scalar("SELECT count(*) FROM sync_participants"), "0");
  // The connection is still good.
  write_ok({g.records().data(), 1});
}

TEST_F(Writer, ATriggerThatRaisesIsAFailure) {
  query(
      "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "RAISE EXCEPTION 'audit is closed today'; END $$; "
      "CREATE TRIGGER refuse BEFORE INSERT ON sync_participants FOR EACH ROW "
      "EXECUTE FUNCTION refuse()");
  const Game g = full_game(session_id(1));
  const AuditStatus status = writer_->write(g.records());
  ASSERT_TRUE(status);
  EXPECT_EQ(status->kind, AuditFailure::failed) << status->message;
  EXPECT_NE(status->message.find("audit is closed today"), std::string::npos) << status->message;
  EXPECT_EQ(scalar("SELECT count(*) FROM sync_events"), "0");
  query("DROP TRIGGER refuse ON sync_participants");
  write_ok(g.records());
}

TEST_F(Writer, AMissingSchemaIsAFailureNotUnavailable) {
  PostgresAuditWriter bare(server().conninfo("postgres"));
  const Game g(chess_request(), session_id(1));
  const AuditStatus status = bare.write(g.records());
  ASSERT_TRUE(status);
  EXPECT_EQ(status->kind, AuditFailure::failed) << status->message;
  EXPECT_TRUE(bare.ping());
}

TEST(WriterOffline, AnUnreachableDatabaseIsUnavailableAndThePasswordNeverShows) {
  PostgresAuditWriter writer(
      "host=127.0.0.1 port=1 dbname=x user=u password=hunter2 "
      "connect_timeout=2");
  const Game g(chess_request(), session_id(1));
  const AuditStatus status = writer.write(g.records());
  ASSERT_TRUE(status);
  EXPECT_EQ(status->kind, AuditFailure::unavailable);
  EXPECT_EQ(status->message.find("hunter2"), std::string::npos) << status->message;
  EXPECT_FALSE(writer.ping());
  const auto state = writer.latest_state(session_id(1));
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.error().code, domain::ErrorCode::unavailable);
}

// Owns its server: it stops and kills it.
TEST(WriterRestart, SurvivesTheDatabaseGoingAwayAndComingBack) {
  PostgresServerFixture pg;
  ASSERT_TRUE(migrate(pg.conninfo()).ok());
  PostgresAuditWriter writer(pg.conninfo());
  const Game g = full_game(session_id(1));
  const auto& r = g.records();
  ASSERT_FALSE(writer.write({&r[0], 1}));
  ASSERT_TRUE(writer.ping());

  for (const bool crash : {false, true}) {
    if (crash) {
      pg.kill();
    } else {
      pg.stop();
    }
    const AuditStatus down = writer.write({&r[1], 1});
    ASSERT_TRUE(down);
    EXPECT_EQ(down->kind, AuditFailure::unavailable) << down->message;
    EXPECT_FALSE(writer.ping());
    const auto state = writer.latest_state(session_id(1));
    ASSERT_FALSE(state.ok());
    EXPECT_EQ(state.error().code, domain::ErrorCode::unavailable);

    pg.start();
    EXPECT_TRUE(writer.ping());
    const AuditStatus up = writer.write({&r[1], 1});
    EXPECT_FALSE(up) << up->message;
  }
  // A restart the writer did not notice: the first call may find the old connection
  // dead (unavailable), the next one works.
  pg.stop();
  pg.start();
  const AuditStatus first = writer.write(r);
  if (first) {
    EXPECT_EQ(first->kind, AuditFailure::unavailable) << first->message;
    EXPECT_FALSE(writer.write(r));
  }
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM sync_events"), std::to_string(r.size()));
}

}  // namespace
}  // namespace sk::audit::postgres
