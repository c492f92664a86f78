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

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "domain/result.h"
#include "domain/time.h"
#include "store/redis/redis_client.h"
#include "store/redis/reply.h"
#include "store/session_store.h"

namespace sk::store::redis {

struct LuaScript {
  explicit LuaScript(std::string_view source);
  std::string source;
  std::string sha1;  // lowercase hex, as SCRIPT LOAD returns it
};

// Each script's KEYS, ARGV and reply are documented at the top of its file,
// lua/<name>.lua; what is here is what the C++ side needs.

// create and update (lua/write.lua).
//   → {"ok"} | {"exists"} | {"not_found"} | {"conflict", actual version} | {"watched"}
const LuaScript& write_script();

// The ARGV of write_script(), in one struct so that their order is written down once
// (to_argv() in scripts.cc, in the order lua/write.lua's header documents).
struct WriteScriptArgs {
  enum class Mode { create, update };
  Mode mode = Mode::update;
  domain::TimePoint now;
  std::int64_t expires_ms = 0;                   // the session's expiry (now + TTL)
  std::chrono::milliseconds backstop{0};         // Redis's PEXPIRE, later than ours
  std::optional<std::int64_t> expected_version;  // update: the version it must be
  std::int64_t version = 0;                      // the new version
  std::string state;                             // the stored session JSON
  std::optional<domain::TimePoint> deadline;
  std::string session_id;
  std::string channel;
  std::int64_t audit_max_length = 0;   // approximate; 0: never trim
  domain::TimePoint created_at;        // the session's life, in its audit ids
  std::vector<std::string> events;     // audit event JSONs
  std::vector<WriteMessage> messages;  // published in full, with their kinds, if watched
  // false: the messages' kinds only, not their payloads (the caller expects nobody to
  // watch; the script answers {"watched"} if someone does, having written nothing).
  bool payloads = true;
  // This write's identity (issue 16): random, made by the writing instance, stored as
  // field w and the last part of its audit ids, so a version a rolled-back Redis
  // reuses still gets ids of its own.
  std::string nonce;

  std::vector<std::string> to_argv() &&;
};

// remove (lua/remove.lua).   → 1 removed, 0 nothing there
const LuaScript& remove_script();

// broadcast (lua/broadcast.lua).   → 1 published, 0 no such session
const LuaScript& broadcast_script();

// Claims due deadlines of one shard (lua/claim.lua): a claimer that dies before
// writing the time-out loses the lease, and another instance claims it again when the
// lease runs out.   → the claimed ids
const LuaScript& claim_script();

// Expires the sessions of one shard whose expiry is due (lua/expire.lua), audited
// like a deletion.   → the number expired
const LuaScript& expire_script();

// A time as a script or command argument: unix milliseconds in decimal.
std::string unix_ms_arg(domain::TimePoint t);
// The exclusive score bound "(<unix ms>" of ZRANGEBYSCORE and ZCOUNT.
std::string after_arg(domain::TimePoint t);

// EVALSHA `script`; on NOSCRIPT, EVAL of its source (which caches it on that node).
boost::asio::awaitable<domain::Result<Reply>> run_script(RedisClient& client,
                                                         const LuaScript& script,
                                                         std::vector<std::string> keys,
                                                         std::vector<std::string> args);

}  // namespace sk::store::redis
