// The audit queue's policy, without any server: the retry schedule, the records of a
// write and of a stream entry, and BatchWriter's handling of every kind of failure.
// BatchWriter runs against a scripted writer: outages, refusals and poison records
// on demand are fault injection no real database produces on cue (the end-to-end
// versions, with a real PostgreSQL, are in tests/audit_test.cc).
#include "audit/queue/batch_writer.h"

#include <deque>
#include <map>
#include <set>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "audit/audit_test_records.h"
#include "audit/queue/audit_records.h"
#include "audit/queue/retry_policy.h"
#include "store/store_test_support.h"

namespace sk::audit {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using store::testing::run;
using testing::chess_request;
using testing::Game;

TEST(RetryPolicy, FiveAttemptsWithDoublingDelaysAndCappedOutagePauses) {
  RetryPolicy p;
  EXPECT_EQ(p.delay(1), 2s);
  EXPECT_EQ(p.delay(2), 4s);
  EXPECT_EQ(p.delay(3), 8s);
  EXPECT_EQ(p.delay(4), 16s);
  EXPECT_FALSE(p.exhausted(4));
  EXPECT_TRUE(p.exhausted(5));
  EXPECT_EQ(p.pause(1), 2s);
  EXPECT_EQ(p.pause(5), 32s);
  EXPECT_EQ(p.pause(50), 32s);  // an outage of any length: at most 32 s between tries
  p.base = 10ms;
  EXPECT_EQ(p.delay(3), 40ms);
}

TEST(AuditRecords, OneRecordPerEventWithTheStateAndStableIds) {
  Game g(chess_request(), testing::session_id(1));
  g.apply(domain::StartCommand{});
  domain::Event created;
  created.type = domain::EventType::session_created;
  domain::Event deleted;
  deleted.type = domain::EventType::session_deleted;
  const auto records = make_records(g.state(), {created, deleted});
  ASSERT_EQ(records.size(), 2u);
  const std::string sid = g.state().session_id.to_string();
  const std::string life = std::to_string(domain::to_unix_ms(g.state().created_at));
  EXPECT_EQ(records[0].event_id, sid + ":" + life + ":2:1");
  EXPECT_EQ(records[1].event_id, sid + ":" + life + ":2:deleted");
  EXPECT_EQ(records[0].version, 2);
  EXPECT_EQ(records[0].state, domain::encode_stored_session(g.state()));
  EXPECT_EQ(records[1].event, domain::encode_event(deleted));
}

TEST(AuditRecords, ReadBackFromStreamFields) {
  const std::string sid = testing::session_id(2).to_string();
  auto r = record_from_fields(
      {{"id", sid + ":1:1"}, {"session", sid}, {"version", "1"}, {"event", "{}"}, {"state", "s"}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->event_id, sid + ":1:1");
  EXPECT_EQ(r->version, 1);
  EXPECT_EQ(r->state, "s");
  EXPECT_FALSE(record_from_fields({{"id", "x"}}).ok());
  EXPECT_FALSE(
      record_from_fields(
          {{"id", "x"}, {"session", "nope"}, {"version", "1"}, {"event", "{}"}, {"state", "s"}})
          .ok());
  EXPECT_FALSE(
      record_from_fields(
          {{"id", "x"}, {"session", sid}, {"version", "1x"}, {"event", "{}"}, {"state", "s"}})
          .ok());
}

// A writer that answers from a script: per event id, the failures it has left; and
// a number of calls to answer `unavailable` first.
class ScriptedWriter final : public AuditWriter {
 public:
  struct Script {
    std::mutex mu;
    int outages = 0;                          // the next N calls: unreachable
    std::map<std::string, AuditFailure> bad;  // always refused, with this kind
    std::map<std::string, int> flaky;         // refused this many more times
    std::vector<std::vector<std::string>> calls;
    std::multiset<std::string> written;
  };
  explicit ScriptedWriter(std::shared_ptr<Script> s) : s_(std::move(s)) {}

  AuditStatus write(std::span<const domain::AuditRecord> batch) override {
    std::lock_guard lock(s_->mu);
    std::vector<std::string> ids;
    for (const auto& r : batch) ids.push_back(r.event_id);
    s_->calls.push_back(ids);
    if (s_->outages > 0) {
      --s_->outages;
      return AuditError{AuditFailure::unavailable, "connection refused"};
    }
    for (const auto& id : ids) {
      if (auto it = s_->bad.find(id); it != s_->bad.end())
        return AuditError{it->second, "bad " + id};
      if (auto it = s_->flaky.find(id); it != s_->flaky.end() && it->second > 0) {
        --it->second;
        return AuditError{AuditFailure::failed, "flaky " + id};
      }
    }
    for (const auto& id : ids) s_->written.insert(id);
    return std::nullopt;
  }
  domain::Result<std::optional<std::string>> latest_state(const domain::Uuid&) override {
    return std::optional<std::string>{};
  }
  bool ping() override { return true; }

 private:
  std::shared_ptr<Script> s_;
};

class BatchWriterTest : public ::testing::Test {
 protected:
  BatchWriterTest() {
    pool_ = std::make_shared<WriterPool>(
        1, [s = script_] { return std::make_unique<ScriptedWriter>(s); });
    RetryPolicy policy;
    policy.base = 5ms;
    BatchWriter::Outcomes o;
    o.written = [this](const BatchWriter::Batch& b) -> asio::awaitable<void> {
      for (const auto& e : b) acked_.push_back(e.key);
      co_return;
    };
    o.dead_lettered = [this](const QueuedRecord& e,
                             const std::string& error) -> asio::awaitable<void> {
      dead_.emplace_back(e.key, error);
      dead_attempts_.push_back(e.failures);
      co_return;
    };
    o.failed = [this](const QueuedRecord&) { ++failures_; };
    o.abandoned = [this](const BatchWriter::Batch& b) { abandoned_ += b.size(); };
    writer_ = std::make_unique<BatchWriter>(pool_, policy, o);
  }

  static BatchWriter::Batch batch(int n) {
    BatchWriter::Batch b;
    for (int i = 0; i < n; ++i) {
      QueuedRecord q;
      q.key = "k" + std::to_string(i);
      q.record.event_id = "e" + std::to_string(i);
      b.push_back(q);
    }
    return b;
  }

  // Writes, then keeps writing whatever retries fall due, until none are left.
  void write_all(BatchWriter::Batch b) {
    run(io_, writer_->write(std::move(b)));
    while (writer_->delayed() > 0) {
      std::this_thread::sleep_for(5ms);
      auto due = writer_->due_retries();
      if (!due.empty()) run(io_, writer_->write(std::move(due)));
    }
  }

  asio::io_context io_;
  std::shared_ptr<ScriptedWriter::Script> script_ = std::make_shared<ScriptedWriter::Script>();
  std::shared_ptr<WriterPool> pool_;
  std::unique_ptr<BatchWriter> writer_;
  std::vector<std::string> acked_;
  std::vector<std::pair<std::string, std::string>> dead_;
  std::vector<int> dead_attempts_;
  int failures_ = 0;
  std::size_t abandoned_ = 0;
};

TEST_F(BatchWriterTest, AGoodBatchIsOneCall) {
  write_all(batch(10));
  EXPECT_EQ(script_->calls.size(), 1u);
  EXPECT_EQ(acked_.size(), 10u);
  EXPECT_EQ(writer_->completed(), 10);
  EXPECT_EQ(writer_->failed(), 0);
}

TEST_F(BatchWriterTest, AnOutageIsWaitedOutWithoutCountingAgainstTheRecords) {
  script_->outages = 7;  // more than max_attempts: an outage never dead-letters
  write_all(batch(3));
  EXPECT_EQ(script_->calls.size(), 8u);
  EXPECT_EQ(acked_.size(), 3u);
  EXPECT_TRUE(dead_.empty());
  EXPECT_EQ(failures_, 0);
}

TEST_F(BatchWriterTest, ARejectedRecordIsIsolatedAndDeadLetteredAtOnce) {
  script_->bad["e5"] = AuditFailure::rejected;
  write_all(batch(8));
  ASSERT_EQ(dead_.size(), 1u);
  EXPECT_EQ(dead_[0].first, "k5");
  EXPECT_EQ(dead_[0].second, "bad e5");
  EXPECT_EQ(dead_attempts_[0], 1);
  EXPECT_EQ(acked_.size(), 7u);
  EXPECT_EQ(script_->written.size(), 7u);
  // Halving: 8 -> 4+4 -> 2+2 -> 1+1: a handful of calls, not one per record.
  EXPECT_LE(script_->calls.size(), 8u);
}

TEST_F(BatchWriterTest, APoisonRecordIsTriedFiveTimesThenDeadLettered) {
  script_->bad["e1"] = AuditFailure::failed;
  write_all(batch(3));
  ASSERT_EQ(dead_.size(), 1u);
  EXPECT_EQ(dead_[0].first, "k1");
  EXPECT_EQ(dead_attempts_[0], 5);
  EXPECT_EQ(failures_, 5);
  EXPECT_EQ(writer_->failed(), 5);
  EXPECT_EQ(acked_.size(), 2u);
  int alone = 0;
  for (const auto& c : script_->calls) alone += c.size() == 1 && c[0] == "e1" ? 1 : 0;
  EXPECT_EQ(alone, 5);
}

TEST_F(BatchWriterTest, AFlakyRecordLandsOnARetry) {
  script_->flaky["e0"] = 2;
  write_all(batch(1));
  EXPECT_TRUE(dead_.empty());
  EXPECT_EQ(acked_, std::vector<std::string>{"k0"});
  EXPECT_EQ(failures_, 2);
}

TEST_F(BatchWriterTest, StoppingDuringAnOutageAbandonsTheBatch) {
  script_->outages = 1000;
  writer_->stop();
  run(io_, writer_->write(batch(4)));
  EXPECT_EQ(abandoned_, 4u);
  EXPECT_TRUE(acked_.empty());
}

}  // namespace
}  // namespace sk::audit
