// The Pub/Sub frame of store messages: round trips (binary payloads included) and
// frames that must be skipped rather than misread.
#include "store/redis/bus_message.h"

#include <gtest/gtest.h>

namespace sk::store::redis {
namespace {

const domain::Uuid kId = *domain::Uuid::parse("5e000000-0000-4000-8000-000000000001");

TEST(BusMessage, RoundTripsEveryKind) {
  const std::string binary("a|b\0c\r\n", 7);
  for (const auto& m : {StoreMessage{kId, MessageKind::update, 42, R"({"type":"STATE_UPDATE"})"},
                        StoreMessage{kId, MessageKind::event, 42, R"({"type":"STATE_UPDATE"})"},
                        StoreMessage{kId, MessageKind::deleted, 0, ""},
                        StoreMessage{kId, MessageKind::broadcast, 0, binary}}) {
    const auto frame = encode_bus_message(m);
    const auto back = decode_bus_message(frame);
    ASSERT_TRUE(back) << frame;
    EXPECT_EQ(back->session_id, m.session_id);
    EXPECT_EQ(back->kind, m.kind);
    EXPECT_EQ(back->version, m.version);
    EXPECT_EQ(back->payload, m.payload);
  }
  EXPECT_EQ(encode_bus_message(StoreMessage{kId, MessageKind::update, 7, "x"}),
            "u|7|5e000000-0000-4000-8000-000000000001|x");
  EXPECT_EQ(encode_bus_message(StoreMessage{kId, MessageKind::event, 7, "x"}),
            "e|7|5e000000-0000-4000-8000-000000000001|x");
}

TEST(BusMessage, MalformedFramesAreSkipped) {
  for (const std::string frame :
       {"", "u", "u|", "x|1|5e000000-0000-4000-8000-000000000001|p",
        "u|one|5e000000-0000-4000-8000-000000000001|p", "u|1|not-a-uuid-at-all-no-no-no-no-no-no|p",
        "u|1|5e000000-0000-4000-8000-000000000001",
        "u|1x|5e000000-0000-4000-8000-000000000001|p"}) {
    EXPECT_FALSE(decode_bus_message(frame)) << frame;
  }
}

}  // namespace
}  // namespace sk::store::redis
