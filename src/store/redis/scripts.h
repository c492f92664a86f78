// The Lua scripts of the Redis engine: every change to a session is ONE script, so the
// version check, the state, its TTL, the deadline and expiry indexes, the audit stream
// and the Pub/Sub messages change together or not at all (SPEC §5), and no other
// instance can interleave. Keys are passed as KEYS and share one hash tag
// (key_space.h); time is passed as ARGV (the calling instance's clock), never read
// from Redis, so tests can drive it and instances agree with their own deadlines.
//
// Scripts are called by EVALSHA with a SHA-1 computed here; a NOSCRIPT answer (Redis
// restarted or flushed its script cache) loads the script and calls it again.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "domain/result.h"
#include "domain/time.h"
#include "store/redis/redis_client.h"
#include "store/redis/reply.h"

namespace sk::store::redis {

struct LuaScript {
  explicit LuaScript(std::string_view source);
  std::string source;
  std::string sha1;  // lowercase hex, as SCRIPT LOAD returns it
};

// create and update.
//   KEYS: session, deadlines, expiries, audit, watched
//   ARGV: mode (create|update), now_ms, expires_ms, backstop_ms (PEXPIRE), expected
//         version ("" for none), new version, state JSON, deadline_ms ("" for none), session id,
//         channel, audit max length (0: never trim), event count N, created_at_ms (the
//         session's life, in its audit ids and kept as hash field c), N event JSONs,
//         then the messages
//   Audit entries: id "<session>:<created_ms>:<version>:<n>" (domain/audit_record.h),
//   session, version, event, state. The messages are published in full when the
//   session's watch lease runs past now, else as one bare version ("u|<v>|<id>|").
//   → {"ok"} | {"exists"} | {"not_found"} | {"conflict", actual version}
const LuaScript& write_script();

// remove.
//   KEYS: session, deadlines, expiries, audit
//   ARGV: now_ms, session id, channel, audit max length (0: never trim), event JSON,
//         message
//   → 1 removed, 0 nothing there
const LuaScript& remove_script();

// broadcast.   KEYS: session   ARGV: now_ms, session id, channel, message
//   → 1 published, 0 no such session
const LuaScript& broadcast_script();

// Claims due deadlines of one shard: each due session whose stored deadline is
// still due gets a lease (its index score moves to now + lease) and is returned;
// entries whose session moved its deadline are put back at it, entries of sessions
// gone are dropped. A claimer that dies before writing the time-out loses the lease,
// and another instance claims it again when the lease runs out.
//   KEYS: deadlines, then the session keys   ARGV: now_ms, lease_ms, then the ids
//   → the claimed ids
const LuaScript& claim_script();

// Expires the sessions of one shard whose expiry is due (unless a write refreshed
// them meanwhile): deletes them, drops their index entries, publishes `deleted`
// with an empty payload, and appends `event` (a session_deleted) to the audit
// stream so that recovery never brings an expired session back.
//   KEYS: deadlines, expiries, audit, then the session keys
//   ARGV: now_ms, channel, audit max length (0: never trim), event JSON, then the ids
//   → the number expired
const LuaScript& expire_script();

// A time as a script or command argument: unix milliseconds in decimal.
std::string unix_ms_arg(domain::TimePoint t);
// The exclusive score bound "(<unix ms>" of ZRANGEBYSCORE and ZCOUNT.
std::string after_arg(domain::TimePoint t);

// EVALSHA `script`; on NOSCRIPT, SCRIPT LOAD and once more.
boost::asio::awaitable<domain::Result<Reply>> run_script(RedisClient& client,
                                                         const LuaScript& script,
                                                         std::vector<std::string> keys,
                                                         std::vector<std::string> args);

}  // namespace sk::store::redis
