// ConnectionState: every transition, allowed and refused, and what follows from each
// state (named cases, no sockets).
#include "server/ws/connection_state.h"

#include <gtest/gtest.h>

namespace sk::server::ws {
namespace {

using Phase = ConnectionState::Phase;
using Writer = ConnectionState::Writer;
using Close = ConnectionState::Close;

// A state in the given phase, reached through the allowed transitions.
ConnectionState in_phase(Phase p) {
  ConnectionState s;
  if (p >= Phase::syncing) {
    EXPECT_TRUE(s.upgraded());
  }
  if (p >= Phase::open) {
    EXPECT_TRUE(s.synced());
  }
  if (p == Phase::stopped) {
    EXPECT_TRUE(s.reader_ended());
  }
  if (p == Phase::finished) {
    EXPECT_TRUE(s.finish().now);
  }
  EXPECT_EQ(s.phase(), p);
  return s;
}

TEST(ConnectionState, StartsUpgradingIdleAndNotClosing) {
  const ConnectionState s;
  EXPECT_EQ(s.phase(), Phase::upgrading);
  EXPECT_EQ(s.writer(), Writer::idle);
  EXPECT_EQ(s.close(), Close::none);
  EXPECT_TRUE(s.accepts_messages()) << "a registered watcher queues what arrives";
  EXPECT_FALSE(s.may_write()) << "nothing is written before the first sync";
}

TEST(ConnectionState, PhasesOnlyGoForwardOneStepAtATime) {
  ConnectionState s;
  EXPECT_FALSE(s.synced()) << "upgrading -> open skips the first read";
  EXPECT_TRUE(s.upgraded());
  EXPECT_EQ(s.phase(), Phase::syncing);
  EXPECT_FALSE(s.upgraded()) << "once only";
  EXPECT_TRUE(s.accepts_messages());
  EXPECT_FALSE(s.may_write());
  EXPECT_TRUE(s.synced());
  EXPECT_EQ(s.phase(), Phase::open);
  EXPECT_FALSE(s.synced());
  EXPECT_TRUE(s.may_write());
  EXPECT_TRUE(s.reader_ended());
  EXPECT_EQ(s.phase(), Phase::stopped);
  EXPECT_FALSE(s.reader_ended());
  EXPECT_TRUE(s.stopped());
  EXPECT_FALSE(s.may_write()) << "after the reader, nothing more is written";
  EXPECT_FALSE(s.accepts_messages());
  EXPECT_FALSE(s.upgraded());
}

TEST(ConnectionState, TheReaderMayEndInAnyPhaseBeforeFinished) {
  for (const auto p : {Phase::upgrading, Phase::syncing, Phase::open}) {
    auto s = in_phase(p);
    EXPECT_TRUE(s.reader_ended());
    EXPECT_EQ(s.phase(), Phase::stopped);
  }
  auto done = in_phase(Phase::finished);
  EXPECT_FALSE(done.reader_ended());
  EXPECT_EQ(done.phase(), Phase::finished);
}

TEST(ConnectionState, FinishOnceFromAnyPhaseSaysWhetherItHadBeenOpen) {
  struct Case {
    Phase from;
    bool was_open;
  };
  for (const auto& c : {Case{Phase::upgrading, false}, Case{Phase::syncing, true},
                        Case{Phase::open, true}, Case{Phase::stopped, true}}) {
    auto s = in_phase(c.from);
    const auto f = s.finish();
    EXPECT_TRUE(f.now);
    EXPECT_EQ(f.was_open, c.was_open) << static_cast<int>(c.from);
    EXPECT_EQ(s.phase(), Phase::finished);
    EXPECT_FALSE(s.finish().now) << "finishing twice counts once";
    EXPECT_FALSE(s.accepts_messages());
    EXPECT_FALSE(s.may_write());
    EXPECT_TRUE(s.stopped());
  }
}

TEST(ConnectionState, AFrameIsWrittenOneAtATimeOnlyWhileOpen) {
  auto syncing = in_phase(Phase::syncing);
  EXPECT_FALSE(syncing.start_frame());
  auto s = in_phase(Phase::open);
  EXPECT_TRUE(s.start_frame());
  EXPECT_EQ(s.writer(), Writer::frame);
  EXPECT_TRUE(s.writing());
  EXPECT_FALSE(s.start_frame()) << "one write in flight at a time";
  EXPECT_FALSE(s.may_write());
  EXPECT_TRUE(s.accepts_messages()) << "frames queue while one is written";
  EXPECT_TRUE(s.write_done());
  EXPECT_EQ(s.writer(), Writer::idle);
  EXPECT_FALSE(s.write_done()) << "nothing in flight";
}

TEST(ConnectionState, TheCloseFrameNeedsACloseAndEndsTheWriter) {
  auto s = in_phase(Phase::open);
  EXPECT_FALSE(s.start_close_frame()) << "no close requested";
  EXPECT_TRUE(s.request_close());
  EXPECT_EQ(s.close(), Close::requested);
  EXPECT_FALSE(s.request_close()) << "the first close wins";
  EXPECT_FALSE(s.accepts_messages()) << "closing: nothing more is queued";
  EXPECT_TRUE(s.start_frame()) << "what was queued before the close still goes out";
  EXPECT_TRUE(s.write_done());
  EXPECT_TRUE(s.start_close_frame());
  EXPECT_EQ(s.writer(), Writer::close_frame);
  EXPECT_TRUE(s.writing());
  EXPECT_TRUE(s.write_done());
  EXPECT_EQ(s.writer(), Writer::closed);
  EXPECT_FALSE(s.start_frame()) << "nothing follows the close frame";
  EXPECT_FALSE(s.start_close_frame());
}

TEST(ConnectionState, ACloseRequestedBeforeTheSyncWaitsForTheWriter) {
  auto s = in_phase(Phase::syncing);
  EXPECT_TRUE(s.request_close());
  EXPECT_FALSE(s.start_close_frame());
  EXPECT_TRUE(s.synced());
  EXPECT_TRUE(s.start_close_frame());
}

TEST(ConnectionState, DiscardingFollowsAnyCloseAndStopsQueueing) {
  for (const bool requested_first : {false, true}) {
    auto s = in_phase(Phase::open);
    if (requested_first) {
      EXPECT_TRUE(s.request_close());
    }
    EXPECT_TRUE(s.discard());
    EXPECT_EQ(s.close(), Close::discarding);
    EXPECT_FALSE(s.discard());
    EXPECT_FALSE(s.request_close()) << "a shutdown is not downgraded to a close after the queue";
    EXPECT_FALSE(s.accepts_messages());
    EXPECT_TRUE(s.start_close_frame());
  }
}

TEST(ConnectionState, AbortingEndsEveryWriteAndIsFinal) {
  for (const auto w : {Writer::idle, Writer::frame, Writer::close_frame, Writer::closed}) {
    auto s = in_phase(Phase::open);
    if (w == Writer::frame) {
      EXPECT_TRUE(s.start_frame());
    }
    if (w == Writer::close_frame || w == Writer::closed) {
      EXPECT_TRUE(s.request_close());
      EXPECT_TRUE(s.start_close_frame());
    }
    if (w == Writer::closed) {
      EXPECT_TRUE(s.write_done());
    }
    EXPECT_EQ(s.writer(), w);
    EXPECT_TRUE(s.abort());
    EXPECT_EQ(s.writer(), Writer::aborted);
    EXPECT_TRUE(s.aborted());
    EXPECT_FALSE(s.abort()) << "once";
    EXPECT_FALSE(s.writing());
    EXPECT_FALSE(s.write_done()) << "a write ending after the abort changes nothing";
    EXPECT_FALSE(s.start_frame());
    EXPECT_FALSE(s.accepts_messages());
  }
  auto upgrading = in_phase(Phase::upgrading);
  EXPECT_TRUE(upgrading.abort()) << "a slow client may be dropped before its upgrade ends";
  EXPECT_FALSE(upgrading.accepts_messages());
}

}  // namespace
}  // namespace sk::server::ws
