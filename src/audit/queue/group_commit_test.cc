// GroupCommit with a scripted batch writer on a one-thread io_context: the test holds
// the first transaction open (a timer it cancels), queues more commits behind it,
// and sees how they are batched, when they are acknowledged and what they are told.
// One thread makes the order exact: coroutines spawned before a marker have queued
// their records by the time the marker runs. No sleeps.
#include "audit/queue/group_commit.h"

#include <atomic>
#include <optional>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace sk::audit {
namespace {

namespace asio = boost::asio;
using Records = std::vector<domain::AuditRecord>;

Records one_record(int n) {
  domain::AuditRecord r;
  r.event_id = "e" + std::to_string(n);
  r.version = n;
  return {r};
}

// A writer whose first transaction stays open until release(); batches listed.
struct ScriptedWriter {
  explicit ScriptedWriter(asio::io_context& io) : gate(io) {
    gate.expires_at(asio::steady_timer::time_point::max());
  }

  GroupCommit::WriteBatch write() {
    return [this](Records batch) -> asio::awaitable<AuditStatus> {
      batches.push_back(batch.size());
      if (batches.size() == 1) {
        holding = true;
        co_await gate.async_wait(asio::as_tuple(asio::use_awaitable));
        holding = false;
      }
      if (fail_batch && batches.size() == *fail_batch) {
        co_return AuditError{AuditFailure::unavailable, "disk full"};
      }
      co_return std::nullopt;
    };
  }
  void release() { gate.cancel(); }

  asio::steady_timer gate;
  bool holding = false;
  std::vector<std::size_t> batches;
  std::optional<std::size_t> fail_batch;  // 1-based: this transaction fails
};

struct Outcomes {
  int ok = 0;
  int failed = 0;
  int done() const { return ok + failed; }
};

void spawn_commit(asio::io_context& io, GroupCommit& commits, int n, Outcomes& out) {
  asio::co_spawn(
      io,
      [&commits, n, &out]() -> asio::awaitable<void> {
        auto status = co_await commits.commit(one_record(n));
        if (status) {
          ++out.failed;
        } else {
          ++out.ok;
        }
      },
      asio::detached);
}

// Runs the io_context until `done`, one handler at a time.
template <typename Done>
void run_until(asio::io_context& io, Done done) {
  while (!done() && io.run_one() > 0) {
  }
  io.restart();
}

class GroupCommitTest : public ::testing::Test {
 protected:
  // Commit 0 opens the first transaction and holds it; commits 1..n queue behind it.
  void queue_behind_open_transaction(int n) {
    spawn_commit(io, *commits, 0, out);
    run_until(io, [&] { return writer.holding; });
    for (int k = 1; k <= n; ++k) spawn_commit(io, *commits, k, out);
    bool queued = false;  // runs after every commit above has queued its records
    asio::post(io, [&] { queued = true; });
    run_until(io, [&] { return queued; });
  }

  asio::io_context io{1};
  ScriptedWriter writer{io};
  std::shared_ptr<GroupCommit> commits = GroupCommit::make(io.get_executor(), writer.write());
  Outcomes out;
};

TEST_F(GroupCommitTest, ConcurrentWaitersShareOneTransaction) {
  constexpr int kWaiting = 50;
  queue_behind_open_transaction(kWaiting);
  writer.release();
  run_until(io, [&] { return out.done() == kWaiting + 1; });

  EXPECT_EQ(out.ok, kWaiting + 1);
  // The first alone, then everything that queued while it ran, in one transaction.
  EXPECT_EQ(writer.batches, (std::vector<std::size_t>{1, kWaiting}));
  const auto stats = commits->stats();
  EXPECT_EQ(stats.commits, 2);
  EXPECT_EQ(stats.records, kWaiting + 1);
  EXPECT_EQ(stats.failed_commits, 0);
}

TEST_F(GroupCommitTest, NothingIsAcknowledgedBeforeItsTransactionCommits) {
  queue_behind_open_transaction(10);
  // Everything has run that can run: the open transaction holds every waiter.
  io.poll();
  io.restart();
  EXPECT_EQ(out.done(), 0);
  EXPECT_TRUE(writer.holding);

  writer.release();
  run_until(io, [&] { return out.done() == 11; });
  EXPECT_EQ(out.ok, 11);
}

TEST_F(GroupCommitTest, AFailedTransactionFailsEveryWaiterOfItsBatchAndOnlyThose) {
  writer.fail_batch = 2;
  queue_behind_open_transaction(20);
  writer.release();
  run_until(io, [&] { return out.done() == 21; });
  EXPECT_EQ(out.ok, 1);  // the first transaction committed
  EXPECT_EQ(out.failed, 20);
  EXPECT_EQ(commits->stats().failed_commits, 1);

  // The committer stopped after the failure and starts again for the next commit.
  Outcomes later;
  spawn_commit(io, *commits, 100, later);
  run_until(io, [&] { return later.done() == 1; });
  EXPECT_EQ(later.ok, 1);
  EXPECT_EQ(writer.batches.size(), 3u);
}

TEST_F(GroupCommitTest, PushedRecordsRideAlongWithoutAWaiter) {
  queue_behind_open_transaction(1);
  commits->push(one_record(7));
  commits->push({});  // nothing: no transaction for it
  writer.release();
  run_until(io, [&] { return out.done() == 2 && commits->stats().records == 3; });
  EXPECT_EQ(writer.batches, (std::vector<std::size_t>{1, 2}));
}

TEST_F(GroupCommitTest, AnEmptyCommitIsAcknowledgedAtOnceWithoutATransaction) {
  std::optional<AuditStatus> status;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { status = co_await commits->commit({}); },
      asio::detached);
  run_until(io, [&] { return status.has_value(); });
  ASSERT_TRUE(status.has_value());
  EXPECT_FALSE(status->has_value());
  EXPECT_EQ(commits->stats().commits, 0);
}

}  // namespace
}  // namespace sk::audit
