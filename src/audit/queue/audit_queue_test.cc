// Both audit queues against real components: a real SQLite writer (a temp file) as
// the database, and for RedisAuditQueue a real redis-server holding the streams the
// store's scripts fill. Entries are appended here exactly as the scripts append them
// (the end-to-end version, through real synckairos processes and PostgreSQL, is
// tests/audit_test.cc).
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

#include <gtest/gtest.h>

#include "audit/audit_test_records.h"
#include "audit/queue/audit_records.h"
#include "audit/queue/local_audit_queue.h"
#include "audit/queue/redis_audit_queue.h"
#include "audit/queue/stream_stats.h"
#include "audit/sqlite/sqlite_audit_writer.h"
#include "audit/sqlite/sqlite_test_support.h"
#include "domain/clock.h"
#include "store/redis/redis_server_fixture.h"
#include "store/redis/redis_test_support.h"

namespace sk::audit {
namespace {

using namespace std::chrono_literals;
using store::redis::KeySpace;
using store::redis::testing::RedisServerFixture;
using store::redis::testing::wait_until;
using store::testing::IoThreads;
using store::testing::run;
using testing::chess_request;
using testing::Game;

// A game of `switches` switches: 2 + switches records.
std::vector<domain::AuditRecord> game_records(std::uint32_t n, int switches) {
  Game g(chess_request(), testing::session_id(n));
  g.after(domain::Millis{10}).apply(domain::StartCommand{});
  for (int k = 0; k < switches; ++k) g.after(domain::Millis{100}).apply(domain::SwitchCommand{});
  return g.records();
}

class SqliteFile {
 public:
  std::string path() const { return dir_.file("audit.db"); }

  std::shared_ptr<WriterPool> pool() const {
    auto opened = sqlite::open_sqlite_writer(path());
    if (!opened) throw std::runtime_error(opened.error().message);
    auto writer = std::make_shared<std::unique_ptr<AuditWriter>>(std::move(*opened));
    if (on_first_write_) {
      *writer = std::make_unique<Hooked>(std::move(*writer), on_first_write_, write_time_);
    }
    return std::make_shared<WriterPool>(1, [writer] { return std::move(*writer); });
  }

  // Makes the writers of pool() take at least `write_time` a batch (a database farther
  // away than a file) and call `hook` when the first batch begins, on the writer's
  // thread.
  void on_first_write(std::function<void()> hook, std::chrono::milliseconds write_time) {
    on_first_write_ = std::make_shared<std::function<void()>>(std::move(hook));
    write_time_ = write_time;
  }

  // A separate connection, as an operator would read the file.
  long long count(const std::string& table = "sync_events") const {
    return sqlite::testing::Inspector(path()).count(table);
  }

 private:
  // The real writer, slowed down, with a hook on its first batch.
  class Hooked : public AuditWriter {
   public:
    Hooked(std::unique_ptr<AuditWriter> inner, std::shared_ptr<std::function<void()>> hook,
           std::chrono::milliseconds write_time)
        : inner_(std::move(inner)), hook_(std::move(hook)), write_time_(write_time) {}
    AuditStatus write(std::span<const domain::AuditRecord> batch) override {
      if (hook_) std::exchange(hook_, nullptr)->operator()();
      std::this_thread::sleep_for(write_time_);
      return inner_->write(batch);
    }
    domain::Result<std::optional<std::string>> latest_state(const domain::Uuid& id) override {
      return inner_->latest_state(id);
    }
    bool ping() override { return inner_->ping(); }

   private:
    std::unique_ptr<AuditWriter> inner_;
    std::shared_ptr<std::function<void()>> hook_;
    std::chrono::milliseconds write_time_;
  };

  sqlite::testing::TempDir dir_;
  std::shared_ptr<std::function<void()>> on_first_write_;
  std::chrono::milliseconds write_time_{0};
};

RetryPolicy fast_retries() {
  RetryPolicy p;
  p.base = 10ms;
  return p;
}

// ---------------------------------------------------------------------------
// LocalAuditQueue

class LocalQueue : public ::testing::Test {
 protected:
  std::shared_ptr<LocalAuditQueue> make(std::chrono::milliseconds poll_interval = 10ms) {
    LocalAuditQueueOptions o;
    o.batch_size = 100;
    o.poll_interval = poll_interval;
    o.retry = fast_retries();
    return LocalAuditQueue::make(io_.executor(), file_.pool(), o, [this](const std::string& a) {
      std::lock_guard lock(mu_);
      alerts_.push_back(a);
    });
  }
  QueueStats stats(LocalAuditQueue& q) { return *run(io_.io(), q.stats()); }

  SqliteFile file_;
  IoThreads io_{2};
  std::mutex mu_;
  std::vector<std::string> alerts_;
};

TEST_F(LocalQueue, WritesEverythingPushedInBatches) {
  auto q = make();
  q->start();
  const auto records = game_records(1, 998);
  for (std::size_t i = 0; i < records.size(); i += 7) {
    std::vector<domain::AuditRecord> part(
        records.begin() + static_cast<std::ptrdiff_t>(i),
        records.begin() + static_cast<std::ptrdiff_t>(std::min(i + 7, records.size())));
    q->push(std::move(part));
  }
  ASSERT_TRUE(wait_until([&] { return stats(*q).completed == 1000; }, 20s)) << stats(*q).completed;
  EXPECT_EQ(file_.count(), 1000);
  const auto s = stats(*q);
  EXPECT_EQ(s.waiting, 0);
  EXPECT_EQ(s.active, 0);
  EXPECT_EQ(s.failed, 0);
  EXPECT_EQ(s.oldest_lag_ms, 0);
  run(io_.io(), q->stop(5s));
}

TEST_F(LocalQueue, StopFlushesWhatIsQueued) {
  auto q = make();
  q->start();
  q->push(game_records(2, 300));
  run(io_.io(), q->stop(10s));
  EXPECT_EQ(file_.count(), 302);
}

TEST_F(LocalQueue, AMalformedRecordIsDeadLetteredAndLoggedTheOthersLand) {
  auto q = make();
  q->start();
  auto records = game_records(3, 5);
  records[3].event = "{not json";
  q->push(records);
  ASSERT_TRUE(wait_until([&] { return stats(*q).dead_lettered == 1; }, 10s));
  ASSERT_TRUE(wait_until([&] { return file_.count() == 6; }, 10s));
  std::lock_guard lock(mu_);
  ASSERT_EQ(alerts_.size(), 1u);
  EXPECT_NE(alerts_[0].find(records[3].event_id), std::string::npos) << alerts_[0];
  EXPECT_NE(alerts_[0].find("{not json"), std::string::npos) << "the record in full";
}

// As RedisQueue.WithoutABacklogABatchEndWaitsForThePoll, for the local queue.
TEST_F(LocalQueue, WithoutABacklogABatchEndWaitsForThePoll) {
  const auto records = game_records(4, 0);  // created, started
  std::shared_ptr<LocalAuditQueue> q;
  file_.on_first_write([&] { q->push({records[1]}); }, 200ms);
  q = make(2000ms);
  q->start();
  q->push({records[0]});
  ASSERT_TRUE(wait_until([&] { return file_.count() == 1; }, 5s));
  std::this_thread::sleep_for(500ms);  // bounded: proves B is NOT written before the poll
  EXPECT_EQ(file_.count(), 1) << "B was taken when A's batch ended";
  EXPECT_TRUE(wait_until([&] { return file_.count() == 2; }, 5s));
  run(io_.io(), q->stop(5s));
}

// ---------------------------------------------------------------------------
// RedisAuditQueue

class RedisQueue : public ::testing::Test {
 protected:
  std::shared_ptr<RedisAuditQueue> make(RedisAuditQueueOptions o = {},
                                        std::chrono::milliseconds poll_interval = 10ms) {
    o.poll_interval = poll_interval;
    o.retry = fast_retries();
    return RedisAuditQueue::make(io_.executor(), client_, keys_, file_.pool(), clock_, o);
  }

  // XADD as the store's scripts do.
  void append(const domain::AuditRecord& r) {
    redis_.cli({"XADD", keys_.audit(keys_.shard_of(r.session_id)), "*", "id", r.event_id, "session",
                r.session_id.to_string(), "version", std::to_string(r.version), "event", r.event,
                "state", r.state});
  }
  void append(const std::vector<domain::AuditRecord>& rs) {
    for (const auto& r : rs) append(r);
  }

  StreamStats fleet() {
    return *run(io_.io(), read_stream_stats(*client_, keys_, "audit", clock_.wall_now()));
  }
  std::int64_t stream_entries() {
    std::int64_t n = 0;
    for (int s = 0; s < keys_.shards(); ++s) n += redis_.cli({"XLEN", keys_.audit(s)}).integer;
    return n;
  }

  RedisServerFixture redis_;
  SqliteFile file_;
  IoThreads io_{2};
  domain::SystemClock clock_;
  KeySpace keys_{"q:", 16};
  std::shared_ptr<store::redis::RedisClient> client_ = std::make_shared<store::redis::RedisClient>(
      io_.executor(), *store::redis::parse_redis_url(redis_.url()));
};

TEST_F(RedisQueue, ConsumesTheStreamsWritesOnceAndEmptiesThem) {
  append(game_records(10, 200));
  append(game_records(11, 200));
  const auto before = fleet();
  EXPECT_EQ(before.waiting, 404);
  EXPECT_GT(before.oldest_lag_ms, -1);
  auto q = make();
  q->start();
  ASSERT_TRUE(wait_until([&] { return file_.count() == 404; }, 20s)) << file_.count();
  ASSERT_TRUE(wait_until([&] { return stream_entries() == 0; }, 10s));
  const auto after = fleet();
  EXPECT_EQ(after.waiting, 0);
  EXPECT_EQ(after.pending, 0);
  EXPECT_EQ(after.completed_total, 404);
  EXPECT_EQ(after.oldest_lag_ms, 0);
  const auto local = *run(io_.io(), q->stats());
  EXPECT_EQ(local.completed, 404);
  EXPECT_EQ(local.active, 0);
  EXPECT_NE(format_stream_stats(after).find("completed_total 404"), std::string::npos);
  run(io_.io(), q->stop(5s));
}

// Under a light load a batch's end does not start a read: what arrived meanwhile waits
// for the poll interval and goes in one larger transaction, instead of one small
// transaction after every commit. Record B arrives while A's batch is being written
// (200 ms); A's batch was not full, so B is read at the next poll (2 s after A's), not
// when A's batch ends.
TEST_F(RedisQueue, WithoutABacklogABatchEndWaitsForThePoll) {
  const auto records = game_records(14, 0);  // created, started
  file_.on_first_write([&] { append(records[1]); }, 200ms);
  append(records[0]);
  auto q = make({}, 2000ms);
  q->start();
  ASSERT_TRUE(wait_until([&] { return file_.count() == 1; }, 5s));
  std::this_thread::sleep_for(500ms);  // bounded: proves B is NOT read before the poll
  EXPECT_EQ(file_.count(), 1) << "B was read when A's batch ended";
  EXPECT_TRUE(wait_until([&] { return file_.count() == 2; }, 5s));
  run(io_.io(), q->stop(5s));
}

TEST_F(RedisQueue, AfterFlushallTheGroupIsRecreatedAndWorkGoesOn) {
  auto q = make();
  q->start();
  append(game_records(12, 10));
  ASSERT_TRUE(wait_until([&] { return file_.count() == 12; }, 10s));
  redis_.cli({"FLUSHALL"});
  append(game_records(13, 10));
  ASSERT_TRUE(wait_until([&] { return file_.count() == 24; }, 20s)) << file_.count();
  run(io_.io(), q->stop(5s));
}

TEST_F(RedisQueue, RecordsTakenByADeadConsumerAreClaimedWhenIdle) {
  for (int s = 0; s < keys_.shards(); ++s) {
    redis_.cli({"XGROUP", "CREATE", keys_.audit(s), "audit", "0", "MKSTREAM"});
  }
  const auto records = game_records(14, 30);
  append(records);
  // A consumer that takes them and dies.
  const std::size_t shard = static_cast<std::size_t>(keys_.shard_of(records[0].session_id));
  redis_.cli({"XREADGROUP", "GROUP", "audit", "ghost", "COUNT", "1000", "STREAMS",
              keys_.audit(static_cast<int>(shard)), ">"});
  EXPECT_EQ(fleet().pending, 32);
  RedisAuditQueueOptions o;
  o.reclaim_interval = 50ms;
  o.reclaim_min_idle = 300ms;
  auto q = make(o);
  q->start();
  ASSERT_TRUE(wait_until([&] { return file_.count() == 32; }, 20s)) << file_.count();
  ASSERT_TRUE(wait_until([&] { return fleet().pending == 0; }, 10s));
  run(io_.io(), q->stop(5s));
}

TEST_F(RedisQueue, AMalformedEntryGoesToTheDeadLetterStreamWithItsError) {
  std::vector<std::string> alerts;
  auto records = game_records(15, 3);
  append(records);
  redis_.cli({"XADD", keys_.audit(3), "*", "id", "broken", "session", "not-a-uuid"});
  auto q = make();
  q->start();
  ASSERT_TRUE(wait_until([&] { return fleet().dead_lettered == 1; }, 10s))
      << "pending " << fleet().pending << " waiting " << fleet().waiting << " written "
      << file_.count() << " failed " << run(io_.io(), q->stats())->failed;
  ASSERT_TRUE(wait_until([&] { return file_.count() == 5; }, 10s));
  const auto dead = redis_.cli({"XRANGE", dead_letter_key(keys_), "-", "+"});
  const auto& fields = dead.elements.at(0).elements.at(1).elements;
  std::map<std::string, std::string> f;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) f[fields[i].str] = fields[i + 1].str;
  EXPECT_EQ(f["id"], "broken");
  EXPECT_EQ(f["attempts"], "1");
  EXPECT_FALSE(f["error"].empty());
  EXPECT_NE(f["source"].find(keys_.audit(3)), std::string::npos);
  ASSERT_TRUE(wait_until([&] { return stream_entries() == 0; }, 10s));
  EXPECT_EQ(fleet().dead_lettered_total, 1);
  run(io_.io(), q->stop(5s));
}

TEST_F(RedisQueue, RedisAwayAtStartIsWaitedFor) {
  redis_.stop();
  auto q = make();
  q->start();
  std::this_thread::sleep_for(300ms);  // the queue's first attempts meet no Redis (on purpose)
  redis_.start();
  append(game_records(16, 3));
  ASSERT_TRUE(wait_until([&] { return file_.count() == 5; }, 20s)) << file_.count();
  run(io_.io(), q->stop(5s));
}

}  // namespace
}  // namespace sk::audit
