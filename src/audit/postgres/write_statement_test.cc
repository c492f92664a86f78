// supersedes / newest_per_session: the forward-only order of summaries, including
// deletion and re-creation of the same session id; write_params: one summary per
// session and one participant row per participant of it, each parameter a binary
// array of the element type the statement casts it to.
#include "audit/postgres/write_statement.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace sk::audit::postgres {
namespace {

std::uint32_t be32(std::string_view bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

// A binary array parameter read back: its element type's OID and its elements as
// text (integers in decimal, booleans t/f, uuids canonical, json as is, jsonb without
// its version byte; nullopt for NULL). The header is checked as array_recv would.
struct Decoded {
  std::uint32_t oid = 0;
  std::vector<std::optional<std::string>> elements;
};

Decoded decode(std::string_view bytes) {
  Decoded out;
  const std::uint32_t ndim = be32(bytes, 0);
  const std::uint32_t has_nulls = be32(bytes, 4);
  out.oid = be32(bytes, 8);
  if (ndim == 0) {
    EXPECT_EQ(bytes.size(), 12u);
    return out;
  }
  EXPECT_EQ(ndim, 1u);
  EXPECT_EQ(be32(bytes, 16), 1u);  // lower bound
  const std::uint32_t count = be32(bytes, 12);
  std::size_t at = 20;
  bool saw_null = false;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint32_t length = be32(bytes, at);
    at += 4;
    if (length == 0xffffffff) {
      out.elements.emplace_back();
      saw_null = true;
      continue;
    }
    const std::string_view e = bytes.substr(at, length);
    at += length;
    switch (out.oid) {
      case 16: out.elements.emplace_back(e == std::string_view("\1", 1) ? "t" : "f"); break;
      case 20:
      case 23: {
        std::uint64_t v = 0;
        for (const char c : e) v = v << 8 | static_cast<unsigned char>(c);
        // Sign-extend from the element's width.
        const unsigned shift = 64 - 8 * static_cast<unsigned>(e.size());
        out.elements.emplace_back(std::to_string(static_cast<std::int64_t>(v << shift) >> shift));
        break;
      }
      case 2950: {
        std::array<std::uint8_t, 16> b{};
        std::memcpy(b.data(), e.data(), b.size());
        out.elements.emplace_back(domain::Uuid{b}.to_string());
        break;
      }
      case 3802:
        EXPECT_EQ(e.substr(0, 1), std::string_view("\1", 1));
        out.elements.emplace_back(e.substr(1));
        break;
      default: out.elements.emplace_back(e);
    }
  }
  EXPECT_EQ(at, bytes.size());
  EXPECT_EQ(has_nulls, saw_null ? 1u : 0u);
  return out;
}

using Elements = std::vector<std::optional<std::string>>;

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
  EXPECT_EQ(decode(p.bytes[0]).elements, (Elements{"1:1", "1:2"}));
  EXPECT_EQ(decode(p.bytes[13]).elements, (Elements{sid(1).to_string()}));
  EXPECT_EQ(decode(p.bytes[14]).elements, (Elements{""}));  // sync_mode, as text
  EXPECT_EQ(decode(p.bytes[22]).elements, (Elements{"3"}));
  EXPECT_EQ(decode(p.bytes[26]).elements, (Elements{std::nullopt}));
  EXPECT_EQ(decode(p.bytes[27]).elements, (Elements{"2"}));
  EXPECT_EQ(decode(p.bytes[29]).elements, (Elements{R"({"k":"v"})"}));
  // Participants in (session, participant) order: the order rows are locked in.
  EXPECT_EQ(decode(p.bytes[31]).elements, (Elements{sid(0).to_string(), sid(1).to_string(),
                                                    sid(2).to_string(), sid(9).to_string()}));
  EXPECT_EQ(decode(p.bytes[37]).elements, (Elements{"f", "f", "f", "f"}));
  EXPECT_EQ(decode(p.bytes[39]).elements, (Elements{"2", "2", "2", "1"}));
}

// Each parameter's element type is the one the statement casts it to ($N::type[]):
// array_recv rejects any other built-in one.
TEST(WriteParams, ElementTypesMatchTheStatementsCasts) {
  AuditRow r = row(1, 1, 10);
  r.participants.resize(1);
  const std::vector<AuditRow> rows{r};
  const auto p = write_params(rows);
  const std::string sql = write_sql();
  const std::map<std::uint32_t, std::string> names{{16, "boolean"}, {20, "bigint"}, {23, "int"},
                                                   {25, "text"},    {114, "json"},  {2950, "uuid"},
                                                   {3802, "jsonb"}};
  for (std::size_t i = 0; i < kWriteParamCount; ++i) {
    const std::uint32_t oid = decode(p.bytes[i]).oid;
    ASSERT_TRUE(names.contains(oid)) << "$" << i + 1 << " has element type " << oid;
    const std::string cast = "$" + std::to_string(i + 1) + "::" + names.at(oid) + "[]";
    EXPECT_NE(sql.find(cast), std::string::npos) << cast << " not in the statement";
  }
}

TEST(WriteParams, LengthsCountEveryByteAndAllAreBinary) {
  const std::vector<AuditRow> rows{row(1, 1, 10)};
  const auto p = write_params(rows);
  const auto values = p.values();
  const auto lengths = p.lengths();
  for (std::size_t i = 0; i < kWriteParamCount; ++i) {
    EXPECT_EQ(values[i], p.bytes[i].data());
    EXPECT_EQ(static_cast<std::size_t>(lengths[i]), p.bytes[i].size());
    EXPECT_EQ(WriteParams::formats()[i], 1);
  }
  // An empty array of sync_participants: no dimensions.
  EXPECT_EQ(p.bytes[30].size(), 12u);
}

}  // namespace
}  // namespace sk::audit::postgres
