// The frame of one store message on the Redis Pub/Sub channel:
//
//   <kind>|<version>|<session id>|<payload>
//
// kind: u (a write's state update), e (another message of a write: TIME_EXPIRED),
// d (deleted), b (broadcast). The kind is the message's type: nobody reads it from
// the payload.
//
// The Lua scripts build it (scripts.cc), every instance's subscriber parses it back
// into a StoreMessage. The payload is the rest of the frame, binary-safe. No I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/session_store.h"

namespace sk::store::redis {

std::string encode_bus_message(const StoreMessage& message);

// nullopt for a frame this version does not understand (it is skipped).
std::optional<StoreMessage> decode_bus_message(std::string_view frame);

}  // namespace sk::store::redis
