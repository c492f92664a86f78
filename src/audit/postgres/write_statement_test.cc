// supersedes / newest_per_session: the forward-only order of summaries, including
// deletion and re-creation of the same session id; write_params: one summary per
// session and one participant row per participant of it.
#include "audit/postgres/write_statement.h"

#include <gtest/gtest.h>

namespace sk::audit::postgres {
namespace {

domain::Uuid sid(int n) {
  std::array<std::uint8_t, 16> b{};
  b[15] = static_cast<std::uint8_t>(n);
  return domain::Uuid{b};
}

AuditRow row(int session, std::int64_t version, std::int64_t updated_ms, bool deleted = false,
             std::int64_t at_ms = -1) {
  AuditRow r;
  r.session_id = sid(session);
  r.version = version;
  r.updated_at_ms = updated_ms;
  r.event_at_ms = at_ms < 0 ? updated_ms : at_ms;
  r.deleted = deleted;
  r.event_id = std::to_string(session) + ":" + std::to_string(version);
  return r;
}

TEST(Supersedes, LiveStatesOrderByUpdatedThenVersion) {
  EXPECT_TRUE(supersedes(row(1, 3, 200), row(1, 2, 100)));
  EXPECT_FALSE(supersedes(row(1, 2, 100), row(1, 3, 200)));
  EXPECT_TRUE(supersedes(row(1, 3, 100), row(1, 2, 100)));  // same millisecond
  EXPECT_TRUE(supersedes(row(1, 3, 100), row(1, 3, 100)));  // redelivery rewrites
  EXPECT_FALSE(supersedes(row(1, 2, 100), row(1, 3, 100)));
}

TEST(Supersedes, ADeletionEndsTheSessionUntilItIsCreatedAgain) {
  const AuditRow last = row(1, 5, 100);
  const AuditRow deletion = row(1, 5, 100, true, 150);
  EXPECT_TRUE(supersedes(deletion, last));
  EXPECT_FALSE(supersedes(last, deletion));
  EXPECT_FALSE(supersedes(row(1, 4, 90), deletion));   // a late old record
  EXPECT_FALSE(supersedes(deletion, row(1, 6, 160)));  // deletion older than the state
  EXPECT_TRUE(supersedes(row(1, 1, 151), deletion));   // created again later
  EXPECT_TRUE(supersedes(row(1, 1, 150), deletion));   // ... in the same millisecond
  EXPECT_FALSE(supersedes(row(1, 2, 150), deletion));
  EXPECT_TRUE(supersedes(row(1, 1, 200, true, 300), deletion));  // deleted again
  EXPECT_FALSE(supersedes(row(1, 5, 100, true, 150), row(1, 5, 100, true, 150)));
}

TEST(NewestPerSession, KeepsOneRowPerSessionInFirstSeenOrder) {
  const std::vector<AuditRow> rows{row(1, 1, 10), row(2, 1, 10), row(1, 3, 30),
                                   row(1, 2, 20), row(2, 2, 20), row(3, 1, 5)};
  EXPECT_EQ(newest_per_session(rows), (std::vector<std::size_t>{2, 4, 5}));
}

TEST(WriteParams, OneSummaryPerSessionAndItsParticipants) {
  AuditRow a = row(1, 1, 10);
  a.participants.resize(2);
  a.participants[1].participant_id = sid(9);  // removed by b: keeps its row from a
  AuditRow b = row(1, 2, 20);
  b.participants.resize(3);
  for (int i = 0; i < 3; ++i) b.participants[static_cast<std::size_t>(i)].participant_id = sid(i);
  b.metadata = R"({"k":"v"})";
  const std::vector<AuditRow> rows{a, b};
  const auto p = write_params(rows);
  EXPECT_EQ(p[0], R"({"1:1","1:2"})");
  EXPECT_EQ(p[13], "{" + sid(1).to_string() + "}");
  EXPECT_EQ(p[22], "{3}");
  EXPECT_EQ(p[26], "{NULL}");
  EXPECT_EQ(p[27], "{2}");
  EXPECT_EQ(p[29], R"({"{\"k\":\"v\"}"})");
  // Participants in (session, participant) order: the order rows are locked in.
  EXPECT_EQ(p[31], "{" + sid(0).to_string() + "," + sid(1).to_string() + "," + sid(2).to_string() +
                       "," + sid(9).to_string() + "}");
  EXPECT_EQ(p[39], "{2,2,2,1}");
}

}  // namespace
}  // namespace sk::audit::postgres
