// summarize: one session summary per batch from the newest state (supersedes: by
// updated_at then version within a life, a deletion at its own time); each
// participant from the newest state that still lists it.
#include "audit/sqlite/summary_fold.h"

#include <gtest/gtest.h>

#include "audit/audit_test_records.h"

namespace sk::audit::sqlite {
namespace {

using testing::participant_id;
using testing::session_id;

AuditRow row(std::uint32_t session, std::int64_t updated_at, std::int64_t version,
             std::vector<std::uint32_t> participants = {}) {
  AuditRow r;
  r.session_id = session_id(session);
  r.updated_at_ms = updated_at;
  r.event_at_ms = updated_at;
  r.version = version;
  for (auto n : participants) {
    ParticipantRow p;
    p.participant_id = participant_id(n);
    r.participants.push_back(p);
  }
  return r;
}

// session_deleted at `at` of the state `last`.
AuditRow deletion(const AuditRow& last, std::int64_t at) {
  AuditRow r = last;
  r.deleted = true;
  r.event_at_ms = at;
  return r;
}

std::vector<const AuditRow*> newest_of(const std::vector<SessionSummary>& summaries) {
  std::vector<const AuditRow*> out;
  for (const auto& s : summaries) out.push_back(s.newest);
  return out;
}

// "participant n from row r" pairs, for readable comparisons.
std::vector<std::pair<domain::Uuid, const AuditRow*>> sources(const SessionSummary& s) {
  std::vector<std::pair<domain::Uuid, const AuditRow*>> out;
  for (const auto& p : s.participants) out.emplace_back(p.participant->participant_id, p.row);
  return out;
}

TEST(Summarize, OnePerSessionInOrderOfFirstAppearance) {
  const AuditRow a1 = row(1, 100, 1);
  const AuditRow b1 = row(2, 150, 1);
  const AuditRow a3 = row(1, 300, 3);
  const AuditRow a2 = row(1, 200, 2);
  const std::vector<const AuditRow*> in{&a1, &b1, &a3, &a2};
  EXPECT_EQ(newest_of(summarize(in)), (std::vector<const AuditRow*>{&a3, &b1}));
}

TEST(Summarize, EmptyGivesNothing) { EXPECT_TRUE(summarize({}).empty()); }

TEST(Summarize, ADeletionWinsOverTheStateItCarriesInEitherOrder) {
  const AuditRow last = row(1, 100, 4);
  const AuditRow deleted = deletion(last, 150);
  for (const auto& in : {std::vector<const AuditRow*>{&deleted, &last},
                         std::vector<const AuditRow*>{&last, &deleted}}) {
    EXPECT_EQ(newest_of(summarize(in)), (std::vector<const AuditRow*>{&deleted}));
  }
}

TEST(Summarize, EachParticipantFromTheNewestStateThatListsIt) {
  const AuditRow created = row(1, 100, 1, {1, 2});
  const AuditRow added = row(1, 200, 2, {1, 2, 3});
  const AuditRow removed = row(1, 300, 3, {1, 3});  // 2 removed
  const std::vector<const AuditRow*> in{&removed, &created, &added};
  const auto summaries = summarize(in);
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0].newest, &removed);
  EXPECT_EQ(sources(summaries[0]),
            (std::vector<std::pair<domain::Uuid, const AuditRow*>>{{participant_id(1), &removed},
                                                                   {participant_id(3), &removed},
                                                                   {participant_id(2), &added}}));
}

struct Case {
  const char* name;
  AuditRow candidate;
  AuditRow current;
  bool supersedes;
};

class Supersedes : public ::testing::TestWithParam<Case> {};

TEST_P(Supersedes, AsPostgresDecides) {
  EXPECT_EQ(supersedes(GetParam().candidate, GetParam().current), GetParam().supersedes);
}

INSTANTIATE_TEST_SUITE_P(
    Summary, Supersedes,
    ::testing::Values(
        Case{"LaterState", row(1, 200, 3), row(1, 100, 2), true},
        Case{"EarlierState", row(1, 100, 2), row(1, 200, 3), false},
        Case{"SameMillisecondHigherVersion", row(1, 100, 3), row(1, 100, 2), true},
        Case{"SameStateAgain", row(1, 100, 3), row(1, 100, 3), true},
        Case{"DeletionOfTheCurrentState", deletion(row(1, 100, 3), 150), row(1, 100, 3), true},
        Case{"DeletionOfAnOlderLife", deletion(row(1, 100, 3), 150), row(1, 200, 1), false},
        Case{"StateOfTheDeletedLife", row(1, 100, 3), deletion(row(1, 100, 3), 150), false},
        Case{"RecreatedLater", row(1, 200, 1), deletion(row(1, 100, 3), 150), true},
        Case{"RecreatedInTheSameMillisecond", row(1, 150, 1), deletion(row(1, 100, 3), 150), true},
        Case{"LaterDeletion", deletion(row(1, 300, 2), 350), deletion(row(1, 100, 3), 150), true},
        Case{"EarlierDeletion", deletion(row(1, 100, 3), 150), deletion(row(1, 300, 2), 350),
             false}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace sk::audit::sqlite
