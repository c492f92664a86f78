// SendQueue: order, byte accounting, the first-sync merge and compaction of a queue
// that never drains completely.
#include "server/ws/send_queue.h"

#include <gtest/gtest.h>

namespace sk::server::ws {
namespace {

Outgoing frame(std::string text, std::int64_t version = 0) {
  return Outgoing{std::make_shared<const std::string>(std::move(text)), version, std::nullopt};
}

TEST(SendQueue, FirstInFirstOutWithByteCount) {
  SendQueue q;
  EXPECT_TRUE(q.empty());
  q.push_back(frame("ab"));
  q.push_back(frame("cde"));
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.bytes(), 5u);
  EXPECT_EQ(*q.pop_front().payload, "ab");
  EXPECT_EQ(q.bytes(), 3u);
  EXPECT_EQ(*q.pop_front().payload, "cde");
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(SendQueue, ResyncPutsFirstAheadAndDropsStatesTheSyncHolds) {
  SendQueue q;
  q.push_back(frame("update 3", 3));
  q.push_back(frame("expired", 0));
  q.push_back(frame("update 4", 4));
  q.push_back(frame("update 5", 5));
  std::vector<Outgoing> first;
  first.push_back(frame("connected"));
  first.push_back(frame("sync 4", 4));
  q.resync(std::move(first), 4);
  std::vector<std::string> order;
  while (!q.empty()) order.push_back(*q.pop_front().payload);
  EXPECT_EQ(order, (std::vector<std::string>{"connected", "sync 4", "expired", "update 5"}));
}

TEST(SendQueue, NeverDrainingQueueKeepsOrderAcrossCompaction) {
  // One frame always stays queued: the storage is compacted, the order kept.
  SendQueue q;
  int next_in = 0;
  int next_out = 0;
  q.push_back(frame(std::to_string(next_in++)));
  for (int i = 0; i < 1000; ++i) {
    q.push_back(frame(std::to_string(next_in++)));
    ASSERT_EQ(*q.pop_front().payload, std::to_string(next_out++));
    ASSERT_EQ(q.size(), 1u);
  }
  EXPECT_EQ(q.bytes(), std::to_string(next_in - 1).size());
}

}  // namespace
}  // namespace sk::server::ws
