// SqliteAuditWriter against real files: every event type lands with its columns;
// writes are idempotent and atomic; summaries only move forward; latest_state is
// what recovery needs; failures are classified; the file survives a restart.
#include "audit/sqlite/sqlite_audit_writer.h"

#include <csignal>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sys/resource.h>

#include "audit/audit_row.h"
#include "audit/audit_test_records.h"
#include "audit/sqlite/sqlite_test_support.h"

namespace sk::audit::sqlite {
namespace {

namespace records = sk::audit::testing;
using domain::AuditRecord;
using domain::Millis;
using records::Game;
using testing::Cell;
using testing::Inspector;
using testing::Row;
using testing::TempDir;

// ---- expected rows, from to_row (the shared decoding both writers use) ------------

Cell text(const std::string& s) { return s; }
Cell text(std::int64_t v) { return std::to_string(v); }
Cell text(const std::optional<std::int64_t>& v) {
  if (!v) return std::nullopt;
  return std::to_string(*v);
}
Cell text(const std::optional<domain::Uuid>& id) {
  if (!id) return std::nullopt;
  return id->to_string();
}

AuditRow row_of(const AuditRecord& record) {
  auto row = to_row(record);
  if (!row) throw std::runtime_error(row.error().message);
  return std::move(row).value();
}

Row event_columns(const AuditRow& r) {
  return {text(r.event_id),          text(r.session_id.to_string()), text(r.version),
          text(r.event_type),        text(r.participant_id),         text(r.group_id),
          text(r.time_remaining_ms), text(r.time_elapsed_ms),        text(r.cycle_number),
          text(r.event_at_ms),       text(r.updated_at_ms),          text(r.state_snapshot),
          text(r.event_json)};
}
constexpr const char* kEventColumns =
    "id, session_id, version, event_type, participant_id, group_id, time_remaining_ms, "
    "time_elapsed_ms, cycle_number, timestamp, recorded_at, state_snapshot, metadata";

Row session_columns(const AuditRow& r) {
  return {text(r.session_id.to_string()),
          text(r.sync_mode),
          text(r.status),
          text(r.time_per_cycle_ms),
          text(r.increment_ms),
          text(r.max_time_ms),
          text(r.total_time_ms),
          text(r.time_used_ms),
          text(r.total_cycles),
          text(static_cast<std::int64_t>(r.participants.size())),
          text(r.created_at_ms),
          text(r.started_at_ms),
          text(r.completed_at_ms),
          r.deleted ? text(r.event_at_ms) : std::nullopt,
          text(r.version),
          text(r.updated_at_ms),
          r.metadata};
}
constexpr const char* kSessionColumns =
    "session_id, sync_mode, final_status, time_per_cycle_ms, increment_ms, max_time_ms, "
    "total_time_ms, time_used_ms, total_cycles, total_participants, created_at, started_at, "
    "completed_at, deleted_at, last_version, last_updated_at, metadata";

std::vector<Row> participant_columns(const AuditRow& r) {
  std::vector<Row> out;
  for (const auto& p : r.participants) {
    out.push_back({text(r.session_id.to_string()), text(p.participant_id.to_string()),
                   text(p.participant_index), text(p.group_id), text(p.total_time_ms),
                   text(p.time_used_ms), text(p.cycle_count), text(p.is_active ? 1 : 0),
                   text(p.has_expired ? 1 : 0), text(r.version), text(r.updated_at_ms)});
  }
  return out;
}
constexpr const char* kParticipantColumns =
    "session_id, participant_id, participant_index, group_id, total_time_ms, time_used_ms, "
    "cycle_count, is_active, has_expired, last_version, updated_at";

// ---- games covering every event type ------------------------------------------------

Game cancelled_game(const domain::Uuid& id) {
  Game g(records::chess_request(), id);
  g.after(Millis{10}).apply(domain::StartCommand{});
  g.after(Millis{500}).apply(domain::CancelCommand{});
  return g;
}

// end_session: the running bank runs out -> session_expired.
Game expired_game(const domain::Uuid& id) {
  Game g(records::chess_request(2, Millis{5'000}, Millis{0}), id);
  g.after(Millis{10}).apply(domain::StartCommand{});
  g.after(Millis{6'000}).apply(domain::TimeoutCommand{});
  return g;
}

// per_cycle: a turn runs out -> cycle_expired, play auto-advances.
Game per_cycle_game(const domain::Uuid& id) {
  auto r = records::chess_request(2);
  r.sync_mode = domain::SyncMode::per_cycle;
  r.total_time.reset();
  r.increment = Millis{0};
  r.time_per_cycle = Millis{5'000};
  r.metadata.reset();
  Game g(r, id);
  g.after(Millis{10}).apply(domain::StartCommand{});
  g.after(Millis{5'500}).apply(domain::TimeoutCommand{});
  return g;
}

// per_group: events and participants carry a group id.
Game team_game(const domain::Uuid& id) {
  auto r = records::chess_request(4, Millis{60'000}, Millis{1'000});
  r.sync_mode = domain::SyncMode::per_group;
  for (std::size_t i = 0; i < r.participants.size(); ++i) {
    r.participants[i].group_id = records::group_id(static_cast<std::uint32_t>(i % 2 + 1));
  }
  Game g(r, id);
  g.after(Millis{10}).apply(domain::StartCommand{});
  g.after(Millis{2'000}).apply(domain::SwitchCommand{});
  g.after(Millis{3'000}).apply(domain::SwitchCommand{});
  return g;
}

std::vector<AuditRecord> concat(std::initializer_list<const std::vector<AuditRecord>*> parts) {
  std::vector<AuditRecord> out;
  for (const auto* p : parts) out.insert(out.end(), p->begin(), p->end());
  return out;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

class SqliteWriter : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteAuditWriter> open(SqliteOptions options = {}) {
    auto w = open_sqlite_writer(path_, options);
    if (!w) throw std::runtime_error(w.error().message);
    return std::move(w).value();
  }

  Row event_row(const std::string& event_id) {
    auto rows = look_.rows(std::string("SELECT ") + kEventColumns +
                           " FROM sync_events WHERE id = " + quoted(event_id));
    if (rows.size() != 1) throw std::runtime_error("no event " + event_id);
    return rows[0];
  }
  std::vector<Row> session_rows(const domain::Uuid& id) {
    return look_.rows(std::string("SELECT ") + kSessionColumns +
                      " FROM sync_sessions WHERE session_id = " + quoted(id.to_string()));
  }
  std::vector<Row> participant_rows(const domain::Uuid& id) {
    return look_.rows(std::string("SELECT ") + kParticipantColumns +
                      " FROM sync_participants WHERE session_id = " + quoted(id.to_string()) +
                      " ORDER BY participant_index, participant_id");
  }
  long long events_of(const domain::Uuid& id) {
    return look_.count("sync_events WHERE session_id = " + quoted(id.to_string()));
  }

  TempDir dir_;
  std::string path_ = dir_.file("audit.db");
  std::unique_ptr<SqliteAuditWriter> writer_ = open();
  Inspector look_{path_};  // after the writer: the file exists
};

// Rows of the summary of `r`'s state, sorted like participant_rows().
std::vector<Row> sorted_participants(const AuditRow& r) {
  auto rows = participant_columns(r);
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::pair{std::stoll(a[2].value()), a[1]} < std::pair{std::stoll(b[2].value()), b[1]};
  });
  return rows;
}

TEST_F(SqliteWriter, OpensInWalModeWithTheSchema) {
  EXPECT_EQ(look_.scalar("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(look_.count("sync_schema_migrations"), 2);
  EXPECT_TRUE(writer_->ping());
  EXPECT_EQ(writer_->path(), path_);
}

TEST_F(SqliteWriter, EveryEventTypeLandsWithItsColumns) {
  const auto full = records::full_game(records::session_id(1));
  const auto cancelled = cancelled_game(records::session_id(2));
  const auto expired = expired_game(records::session_id(3));
  const auto cycle = per_cycle_game(records::session_id(4));
  const auto teams = team_game(records::session_id(5));
  const auto all = concat({&full.records(), &cancelled.records(), &expired.records(),
                           &cycle.records(), &teams.records()});
  ASSERT_FALSE(writer_->write(all));

  std::set<std::string> types;
  for (const auto& record : all) {
    const auto expected = row_of(record);
    EXPECT_EQ(event_row(record.event_id), event_columns(expected)) << record.event_id;
    types.insert(expected.event_type);
  }
  // All 14 event types of SPEC §6.
  EXPECT_EQ(types.size(), 14u) << ::testing::PrintToString(types);
  EXPECT_EQ(look_.count("sync_events"), static_cast<long long>(all.size()));

  // Spot checks in plain values, independent of to_row.
  const auto adjusted = look_.rows(
      "SELECT participant_id, metadata FROM sync_events WHERE event_type = "
      "'time_adjusted'");
  ASSERT_EQ(adjusted.size(), 1u);
  EXPECT_EQ(adjusted[0][0], records::participant_id(1).to_string());
  EXPECT_NE(adjusted[0][1]->find("penalty"), std::string::npos);
  EXPECT_EQ(look_.scalar("SELECT group_id FROM sync_events WHERE session_id = " +
                         quoted(records::session_id(5).to_string()) +
                         " AND event_type = 'cycle_switched' ORDER BY version LIMIT 1"),
            records::group_id(1).to_string());
  EXPECT_EQ(look_.scalar("SELECT final_status FROM sync_sessions WHERE session_id = " +
                         quoted(records::session_id(3).to_string())),
            "expired");
}

TEST_F(SqliteWriter, SummariesHoldTheNewestStateOfEachSession) {
  const auto cancelled = cancelled_game(records::session_id(2));
  const auto teams = team_game(records::session_id(5));
  const auto all = concat({&cancelled.records(), &teams.records()});
  ASSERT_FALSE(writer_->write(all));

  for (const Game* g : {&cancelled, &teams}) {
    const auto newest = row_of(g->records().back());
    EXPECT_EQ(session_rows(newest.session_id), (std::vector<Row>{session_columns(newest)}));
    EXPECT_EQ(participant_rows(newest.session_id), sorted_participants(newest));
  }
  EXPECT_EQ(look_.count("sync_sessions"), 2);
}

TEST_F(SqliteWriter, ARemovedParticipantKeepsItsLastRowAndAnAddedOneGetsOne) {
  const auto g = records::full_game(records::session_id(1));
  ASSERT_FALSE(writer_->write(g.records()));
  // 3 created, 1 added, 1 removed: 4 rows, the removed one as last seen.
  EXPECT_EQ(look_.count("sync_participants"), 4);
  EXPECT_EQ(look_.scalar("SELECT total_participants FROM sync_sessions"), "3");
  const auto removed =
      look_.rows("SELECT last_version FROM sync_participants WHERE participant_id = " +
                 quoted(records::participant_id(3).to_string()));
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_LT(std::stoll(removed[0][0].value()), g.state().version);
}

TEST_F(SqliteWriter, TheSameBatchTwiceStoresNothingTwice) {
  const auto g = records::full_game(records::session_id(1));
  ASSERT_FALSE(writer_->write(g.records()));
  const auto sessions = look_.rows("SELECT * FROM sync_sessions");
  const auto participants = look_.rows("SELECT * FROM sync_participants ORDER BY 2");
  ASSERT_FALSE(writer_->write(g.records()));
  EXPECT_EQ(look_.count("sync_events"), static_cast<long long>(g.records().size()));
  EXPECT_EQ(look_.rows("SELECT * FROM sync_sessions"), sessions);
  EXPECT_EQ(look_.rows("SELECT * FROM sync_participants ORDER BY 2"), participants);
}

TEST_F(SqliteWriter, ARepeatedRecordInsideOneBatchIsStoredOnce) {
  Game g(records::chess_request(), records::session_id(1));
  g.after(Millis{10}).apply(domain::StartCommand{});
  std::vector<AuditRecord> batch = g.records();
  batch.push_back(g.records().front());
  batch.push_back(g.records().back());
  ASSERT_FALSE(writer_->write(batch));
  EXPECT_EQ(look_.count("sync_events"), 2);
}

TEST_F(SqliteWriter, HowRecordsAreBatchedDoesNotChangeWhatIsStored) {
  const auto g = records::full_game(records::session_id(1));
  ASSERT_FALSE(writer_->write(g.records()));  // one batch

  const auto other_path = dir_.file("one-by-one.db");
  auto one_by_one = open_sqlite_writer(other_path);
  ASSERT_TRUE(one_by_one.ok()) << one_by_one.error().message;
  for (const auto& record : g.records()) ASSERT_FALSE((*one_by_one)->write(std::span{&record, 1}));

  Inspector other(other_path);
  for (const char* sql : {"SELECT * FROM sync_events ORDER BY id", "SELECT * FROM sync_sessions",
                          "SELECT * FROM sync_participants ORDER BY participant_id"}) {
    EXPECT_EQ(look_.rows(sql), other.rows(sql)) << sql;
  }
}

TEST_F(SqliteWriter, AnEmptyBatchIsFine) {
  ASSERT_FALSE(writer_->write({}));
  EXPECT_EQ(look_.count("sync_events"), 0);
}

TEST_F(SqliteWriter, AnOlderRecordAfterANewerOneDoesNotMoveSummariesBack) {
  Game g(records::chess_request(), records::session_id(1));
  g.after(Millis{10}).apply(domain::StartCommand{});
  g.after(Millis{1'000}).apply(domain::SwitchCommand{});
  g.after(Millis{1'000}).apply(domain::SwitchCommand{});
  const auto& all = g.records();
  const auto newest = row_of(all.back());

  // The newest alone first, then everything older in later batches, one by one.
  ASSERT_FALSE(writer_->write(std::span{&all.back(), 1}));
  for (std::size_t i = 0; i + 1 < all.size(); ++i) {
    ASSERT_FALSE(writer_->write(std::span{&all[i], 1}));
  }
  EXPECT_EQ(events_of(newest.session_id), static_cast<long long>(all.size()));
  EXPECT_EQ(session_rows(newest.session_id), (std::vector<Row>{session_columns(newest)}));
  EXPECT_EQ(participant_rows(newest.session_id), sorted_participants(newest));
  EXPECT_EQ(writer_->latest_state(newest.session_id).value(), all.back().state);
}

TEST_F(SqliteWriter, ABatchInReverseOrderStillEndsAtTheNewest) {
  Game g(records::chess_request(), records::session_id(1));
  g.after(Millis{10}).apply(domain::StartCommand{});
  g.after(Millis{1'000}).apply(domain::SwitchCommand{});
  g.after(Millis{2'000}).apply(domain::PauseCommand{});
  std::vector<AuditRecord> reversed(g.records().rbegin(), g.records().rend());
  ASSERT_FALSE(writer_->write(reversed));
  const auto newest = row_of(g.records().back());
  EXPECT_EQ(session_rows(newest.session_id), (std::vector<Row>{session_columns(newest)}));
  EXPECT_EQ(participant_rows(newest.session_id), sorted_participants(newest));
}

TEST_F(SqliteWriter, LatestStateIsTheNewestSnapshot) {
  Game g(records::chess_request(), records::session_id(1));
  EXPECT_EQ(writer_->latest_state(records::session_id(1)).value(), std::nullopt);
  g.after(Millis{10}).apply(domain::StartCommand{});
  ASSERT_FALSE(writer_->write(g.records()));
  EXPECT_EQ(writer_->latest_state(records::session_id(1)).value(), g.records().back().state);
  EXPECT_EQ(writer_->latest_state(records::session_id(99)).value(), std::nullopt);
}

TEST_F(SqliteWriter, ADeletedSessionHasNoLatestState) {
  const auto g = records::full_game(records::session_id(1));  // ends deleted
  ASSERT_FALSE(writer_->write(g.records()));
  EXPECT_EQ(writer_->latest_state(records::session_id(1)).value(), std::nullopt);
  const auto deletion = row_of(g.records().back());
  ASSERT_TRUE(deletion.deleted);
  EXPECT_EQ(look_.scalar("SELECT deleted_at FROM sync_sessions"),
            std::to_string(deletion.event_at_ms));
  // The summary still tells how the session ended.
  EXPECT_EQ(look_.scalar("SELECT final_status FROM sync_sessions"), "completed");
}

TEST_F(SqliteWriter, ADeletionArrivingBeforeTheEventsOfItsVersionStillDeletes) {
  Game g(records::chess_request(), records::session_id(1));
  g.after(Millis{10}).apply(domain::StartCommand{});
  g.after(Millis{10}).remove();
  const auto& all = g.records();  // created, started, deleted (same version as started)
  ASSERT_FALSE(writer_->write(std::span{&all[2], 1}));
  ASSERT_FALSE(writer_->write(std::span{all.data(), 2}));
  EXPECT_EQ(writer_->latest_state(records::session_id(1)).value(), std::nullopt);
  EXPECT_TRUE(look_.scalar("SELECT deleted_at FROM sync_sessions").has_value());
}

TEST_F(SqliteWriter, ALateDeletionOfAnOlderLifeDoesNotDeleteARecreatedSession) {
  const auto id = records::session_id(1);
  Game first(records::chess_request(), id);
  first.after(Millis{10}).apply(domain::StartCommand{});
  first.after(Millis{10}).remove();
  Game second(records::chess_request(3), id, first.now() + Millis{1'000});
  second.after(Millis{10}).apply(domain::StartCommand{});

  ASSERT_FALSE(writer_->write(std::span{first.records().data(), 2}));  // first life
  ASSERT_FALSE(writer_->write(second.records()));                      // recreated
  ASSERT_FALSE(writer_->write(std::span{&first.records()[2], 1}));     // late deletion
  EXPECT_EQ(writer_->latest_state(id).value(), second.records().back().state);
  const auto newest = row_of(second.records().back());
  EXPECT_EQ(session_rows(id), (std::vector<Row>{session_columns(newest)}));
}

TEST_F(SqliteWriter, ARecreatedSessionClearsTheDeletion) {
  const auto id = records::session_id(1);
  Game first(records::chess_request(), id);
  first.after(Millis{10}).remove();
  ASSERT_FALSE(writer_->write(first.records()));
  ASSERT_EQ(writer_->latest_state(id).value(), std::nullopt);

  // Re-created under the same id, written together with its first moves: the batch's
  // newest record (not session_created) is what clears deleted_at.
  Game second(records::chess_request(3), id, first.now() + Millis{1'000});
  second.after(Millis{10}).apply(domain::StartCommand{});
  ASSERT_FALSE(writer_->write(second.records()));
  EXPECT_EQ(writer_->latest_state(id).value(), second.records().back().state);
  EXPECT_EQ(look_.scalar("SELECT deleted_at FROM sync_sessions"), std::nullopt);
  EXPECT_EQ(look_.scalar("SELECT total_participants FROM sync_sessions"), "3");
}

TEST_F(SqliteWriter, AMalformedRecordRejectsTheBatchNamingItAndWritesNothing) {
  Game g(records::chess_request(), records::session_id(1));
  g.after(Millis{10}).apply(domain::StartCommand{});
  std::vector<AuditRecord> batch = g.records();
  AuditRecord bad = batch.back();
  bad.event_id = records::session_id(1).to_string() + ":2:7";
  bad.state = R"({"not":"a session"})";
  batch.push_back(bad);

  const auto status = writer_->write(batch);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->kind, AuditFailure::rejected);
  EXPECT_NE(status->message.find(bad.event_id), std::string::npos) << status->message;
  EXPECT_EQ(look_.count("sync_events"), 0);
  EXPECT_EQ(look_.count("sync_sessions"), 0);
  EXPECT_EQ(look_.count("sync_participants"), 0);
}

TEST_F(SqliteWriter, AConstraintViolationIsRejectedAndRolledBack) {
  // An operator's trigger refusing a kind of event: SQLITE_CONSTRAINT_TRIGGER.
  look_.exec(
      "CREATE TRIGGER no_pauses BEFORE INSERT ON sync_events WHEN NEW.event_type = "
      "'session_paused' BEGIN SELECT RAISE(ABORT, 'pauses are not allowed'); END");
  Game g(records::chess_request(), records::session_id(1));
  g.after(Millis{10}).apply(domain::StartCommand{});
  g.after(Millis{10}).apply(domain::PauseCommand{});

  const auto status = writer_->write(g.records());
  ASSERT_TRUE(status);
  EXPECT_EQ(status->kind, AuditFailure::rejected);
  EXPECT_NE(status->message.find("pauses are not allowed"), std::string::npos) << status->message;
  EXPECT_NE(status->message.find(g.records().back().event_id), std::string::npos)
      << status->message;
  EXPECT_EQ(look_.count("sync_events"), 0);
  EXPECT_EQ(look_.count("sync_sessions"), 0);

  // The connection is still usable: without the refused record the rest goes in.
  ASSERT_FALSE(writer_->write(std::span{g.records().data(), 2}));
  EXPECT_EQ(look_.count("sync_events"), 2);
}

TEST_F(SqliteWriter, ASessionUpsertThatFailsRollsBackItsEvents) {
  look_.exec(
      "CREATE TRIGGER frozen BEFORE INSERT ON sync_sessions BEGIN "
      "SELECT RAISE(ABORT, 'sessions are frozen'); END");
  Game g(records::chess_request(), records::session_id(1));
  const auto status = writer_->write(g.records());
  ASSERT_TRUE(status);
  EXPECT_EQ(status->kind, AuditFailure::rejected);
  EXPECT_NE(status->message.find("updating session"), std::string::npos) << status->message;
  EXPECT_EQ(look_.count("sync_events"), 0);
}

TEST_F(SqliteWriter, AParticipantUpsertThatFailsRollsBackTheBatch) {
  look_.exec(
      "CREATE TRIGGER frozen BEFORE INSERT ON sync_participants BEGIN "
      "SELECT RAISE(ABORT, 'participants are frozen'); END");
  Game g(records::chess_request(), records::session_id(1));
  const auto status = writer_->write(g.records());
  ASSERT_TRUE(status);
  EXPECT_EQ(status->kind, AuditFailure::rejected);
  EXPECT_NE(status->message.find("updating participant"), std::string::npos) << status->message;
  EXPECT_EQ(look_.count("sync_events"), 0);
  EXPECT_EQ(look_.count("sync_sessions"), 0);
}

TEST_F(SqliteWriter, AMissingTableIsAFailureNotARejection) {
  // Not the records' fault and not an outage: retried with backoff, counted.
  look_.exec("ALTER TABLE sync_participants RENAME TO sync_participants_moved");
  Game g(records::chess_request(), records::session_id(1));
  const auto status = writer_->write(g.records());
  ASSERT_TRUE(status);
  EXPECT_EQ(status->kind, AuditFailure::failed);
  EXPECT_NE(status->message.find(path_), std::string::npos) << status->message;
  EXPECT_EQ(look_.count("sync_events"), 0);

  look_.exec("ALTER TABLE sync_participants_moved RENAME TO sync_participants");
  ASSERT_FALSE(writer_->write(g.records()));
  EXPECT_EQ(look_.count("sync_events"), 1);
}

TEST_F(SqliteWriter, ABusyFileIsUnavailableAndTheBatchCanBeRetried) {
  auto impatient = open(SqliteOptions{std::chrono::milliseconds{0}});
  Game g(records::chess_request(), records::session_id(1));
  look_.exec("BEGIN IMMEDIATE");  // another writer holds the lock
  const auto status = impatient->write(g.records());
  ASSERT_TRUE(status);
  EXPECT_EQ(status->kind, AuditFailure::unavailable);
  // Readers are not blocked in WAL mode.
  EXPECT_TRUE(impatient->ping());
  EXPECT_EQ(impatient->latest_state(records::session_id(1)).value(), std::nullopt);
  look_.exec("COMMIT");

  ASSERT_FALSE(impatient->write(g.records()));
  EXPECT_EQ(look_.count("sync_events"), 1);
}

// Caps the size of any file this process writes, as a full disk or quota would:
// past it write() fails with EFBIG, which SQLite reports as SQLITE_IOERR_WRITE.
// SIGXFSZ is ignored meanwhile (its default action ends the process).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    previous_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit capped = saved_;
    capped.rlim_cur = bytes;
    if (::setrlimit(RLIMIT_FSIZE, &capped) != 0) throw std::runtime_error("setrlimit");
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  void (*previous_)(int) = nullptr;
};

TEST_F(SqliteWriter, AnIoErrorIsUnavailableAndTheWriterReconnects) {
  // 1000 participants: each record carries a state of well over 100 KiB.
  Game g(records::chess_request(1000), records::session_id(1));
  g.after(Millis{10}).apply(domain::StartCommand{});
  {
    FileSizeLimit limit(rlim_t{128} * 1024);
    const auto status = writer_->write(g.records());
    ASSERT_TRUE(status);
    EXPECT_EQ(status->kind, AuditFailure::unavailable) << status->message;
  }
  EXPECT_EQ(look_.count("sync_events"), 0);
  // The connection was dropped; the next call opens the file again and succeeds.
  ASSERT_FALSE(writer_->write(g.records()));
  EXPECT_EQ(look_.count("sync_events"), 2);
  EXPECT_EQ(look_.count("sync_participants"), 1000);
  EXPECT_EQ(writer_->latest_state(records::session_id(1)).value(), g.records().back().state);
}

TEST(SqliteWriterReopen, WhileTheFileCannotBeReopenedEveryCallSaysSo) {
  TempDir dir;
  const auto path = dir.file("audit.db");
  auto opened = open_sqlite_writer(path);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto& writer = *opened.value();
  Game big(records::chess_request(1000), records::session_id(1));
  {
    FileSizeLimit limit(rlim_t{128} * 1024);
    ASSERT_TRUE(writer.write(big.records()));  // drops the connection
  }
  // Meanwhile the file is replaced by something that is not a database.
  {
    std::ofstream out(dir.file("garbage"));
    for (int i = 0; i < 100; ++i) out << "not a database any more\n";
  }
  std::filesystem::rename(dir.file("garbage"), path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");

  Game small(records::chess_request(), records::session_id(2));
  const auto status = writer.write(small.records());
  ASSERT_TRUE(status);
  EXPECT_EQ(status->kind, AuditFailure::failed);
  EXPECT_NE(status->message.find("not a database"), std::string::npos) << status->message;
  const auto state = writer.latest_state(records::session_id(2));
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.error().code, domain::ErrorCode::internal);
  EXPECT_NE(state.error().message.find(path), std::string::npos) << state.error().message;
  EXPECT_FALSE(writer.ping());

  // Once the bad file is gone the writer starts a fresh one by itself.
  std::filesystem::remove(path);
  ASSERT_FALSE(writer.write(small.records()));
  EXPECT_TRUE(writer.ping());
  EXPECT_EQ(writer.latest_state(records::session_id(2)).value(), small.records().back().state);
}

TEST_F(SqliteWriter, TheFileSurvivesAProcessRestart) {
  const auto g = team_game(records::session_id(5));
  ASSERT_FALSE(writer_->write(g.records()));
  writer_.reset();  // what a restart leaves behind: the file, and nothing in memory

  auto reopened = open();
  EXPECT_EQ(reopened->latest_state(records::session_id(5)).value(), g.records().back().state);
  Inspector fresh(path_);
  EXPECT_EQ(fresh.count("sync_events"), static_cast<long long>(g.records().size()));
  // And it goes on from there: redelivery after the restart changes nothing.
  ASSERT_FALSE(reopened->write(g.records()));
  EXPECT_EQ(fresh.count("sync_events"), static_cast<long long>(g.records().size()));
}

TEST(SqliteWriterOpen, InMemoryDatabaseWorks) {
  auto w = open_sqlite_writer(":memory:");
  ASSERT_TRUE(w.ok()) << w.error().message;
  Game g(records::chess_request(), records::session_id(1));
  ASSERT_FALSE((*w)->write(g.records()));
  EXPECT_EQ((*w)->latest_state(records::session_id(1)).value(), g.records().back().state);
  EXPECT_TRUE((*w)->ping());
}

TEST(SqliteWriterOpen, AMissingDirectoryIsAClearError) {
  TempDir dir;
  const auto path = dir.file("no/such/dir/audit.db");
  const auto w = open_sqlite_writer(path);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, domain::ErrorCode::unavailable);
  EXPECT_NE(w.error().message.find(path), std::string::npos) << w.error().message;
  EXPECT_NE(w.error().message.find("unable to open database file"), std::string::npos)
      << w.error().message;
  EXPECT_NE(w.error().message.find("directory"), std::string::npos) << w.error().message;
}

TEST(SqliteWriterOpen, AFileThatIsNotADatabaseIsAClearError) {
  TempDir dir;
  const auto path = dir.file("notes.txt");
  {
    std::ofstream out(path);
    for (int i = 0; i < 100; ++i) out << "this is a text file, not an audit database\n";
  }
  const auto w = open_sqlite_writer(path);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, domain::ErrorCode::unavailable);
  EXPECT_NE(w.error().message.find(path), std::string::npos) << w.error().message;
  EXPECT_NE(w.error().message.find("not a database"), std::string::npos) << w.error().message;
}

TEST(SqliteWriterOpen, ADirectoryInPlaceOfTheFileIsAClearError) {
  TempDir dir;
  const auto w = open_sqlite_writer(dir.path().string());
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().message.find(dir.path().string()), std::string::npos) << w.error().message;
}

}  // namespace
}  // namespace sk::audit::sqlite
