// WriteCache's memory of the versions seen on the events channel (issue 16): a
// version below the last one seen for a session is a rollback; nothing else is.
#include "store/redis/write_cache.h"

#include <gtest/gtest.h>

namespace sk::store::redis {
namespace {

StoreMessage frame(const Uuid& id, MessageKind kind, std::int64_t version) {
  return StoreMessage{id, kind, version, {}};
}

Uuid id_of(int n) {
  return *Uuid::parse("5e000000-0000-0000-0000-00000000000" + std::to_string(n));
}

TEST(WriteCacheSeen, AVersionBelowTheLastOneSeenIsARollback) {
  WriteCache cache(1 << 20);
  const Uuid a = id_of(1);
  for (std::int64_t v = 1; v <= 32; ++v) {
    EXPECT_FALSE(cache.seen(frame(a, MessageKind::update, v)));
  }
  const auto r = cache.seen(frame(a, MessageKind::update, 13));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->session_id, a);
  EXPECT_EQ(r->expected, 32);
  EXPECT_EQ(r->found, 13);
  // The new branch counts from there: its next versions are no rollback.
  EXPECT_FALSE(cache.seen(frame(a, MessageKind::update, 14)));
  EXPECT_TRUE(cache.written(a, 14));
  EXPECT_FALSE(cache.written(a, 15));
}

TEST(WriteCacheSeen, EqualVersionsEventsOtherSessionsAndResyncsAreNot) {
  WriteCache cache(1 << 20);
  const Uuid a = id_of(1);
  const Uuid b = id_of(2);
  EXPECT_FALSE(cache.seen(frame(a, MessageKind::update, 5)));
  EXPECT_FALSE(cache.seen(frame(a, MessageKind::update, 5)));  // a write's second update
  EXPECT_FALSE(cache.seen(frame(a, MessageKind::event, 5)));
  EXPECT_FALSE(cache.seen(frame(a, MessageKind::event, 1)));  // events are not counted
  EXPECT_FALSE(cache.seen(frame(b, MessageKind::update, 1)));
  // A resync (messages lost) forgets the entries, not the versions: a failover breaks
  // the subscription exactly when a rollback happens.
  EXPECT_FALSE(cache.seen(frame(Uuid{}, MessageKind::resync, 0)));
  EXPECT_TRUE(cache.seen(frame(a, MessageKind::update, 3)));
}

TEST(WriteCacheSeen, ADeletionStartsTheSessionOver) {
  WriteCache cache(1 << 20);
  const Uuid a = id_of(1);
  EXPECT_FALSE(cache.seen(frame(a, MessageKind::update, 9)));
  EXPECT_FALSE(cache.seen(frame(a, MessageKind::deleted, 0)));
  EXPECT_FALSE(cache.seen(frame(a, MessageKind::update, 1)));  // a new life
}

}  // namespace
}  // namespace sk::store::redis
