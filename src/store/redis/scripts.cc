// The Lua sources of the Redis engine and how they are called (see scripts.h).
//
// Numbers: versions and times are compared and stored as the decimal strings the
// instance sent (Lua numbers are doubles, and tostring() of a big one may switch to
// an exponent), except where an order is needed (tonumber of unix ms is exact).
#include "store/redis/scripts.h"

#include <array>
#include <cstdio>

#include <openssl/sha.h>

namespace sk::store::redis {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kWrite = R"lua(
local key, deadlines, expiries, audit = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local mode, now, expires, ttl = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local expected, version, state, deadline = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local id, channel, maxlen, nevents = ARGV[9], ARGV[10], ARGV[11], tonumber(ARGV[12])
local cur = redis.call('HMGET', key, 'v', 'x')
local live = cur[1] and cur[2] and tonumber(cur[2]) > now
if mode == 'create' then
  if live then return {'exists'} end
  redis.call('DEL', key)
else
  if not live then return {'not_found'} end
  if expected ~= '' and cur[1] ~= expected then return {'conflict', cur[1]} end
end
redis.call('HSET', key, 's', state, 'v', version, 'x', expires)
if deadline ~= '' then
  redis.call('HSET', key, 'd', deadline)
  redis.call('ZADD', deadlines, deadline, id)
else
  redis.call('HDEL', key, 'd')
  redis.call('ZREM', deadlines, id)
end
redis.call('PEXPIRE', key, ttl)
redis.call('ZADD', expiries, expires, id)
local i = 13
for n = 1, nevents do
  redis.call('XADD', audit, 'MAXLEN', '~', maxlen, '*', 'id', id .. ':' .. version .. ':' .. n,
             'session', id, 'version', version, 'event', ARGV[i], 'state', state)
  i = i + 1
end
for j = i, #ARGV do
  redis.call('PUBLISH', channel, 'u|' .. version .. '|' .. id .. '|' .. ARGV[j])
end
return {'ok'}
)lua";

constexpr std::string_view kRemove = R"lua(
local key, deadlines, expiries, audit = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now, id, channel, maxlen = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4]
local cur = redis.call('HMGET', key, 's', 'v', 'x')
redis.call('DEL', key)
redis.call('ZREM', deadlines, id)
redis.call('ZREM', expiries, id)
if not (cur[1] and cur[2] and cur[3] and tonumber(cur[3]) > now) then return 0 end
redis.call('XADD', audit, 'MAXLEN', '~', maxlen, '*', 'id', id .. ':' .. cur[2] .. ':deleted',
           'session', id, 'version', cur[2], 'event', ARGV[5], 'state', cur[1])
redis.call('PUBLISH', channel, 'd|0|' .. id .. '|' .. ARGV[6])
return 1
)lua";

constexpr std::string_view kBroadcast = R"lua(
local x = redis.call('HGET', KEYS[1], 'x')
if not x or tonumber(x) <= tonumber(ARGV[1]) then return 0 end
redis.call('PUBLISH', ARGV[3], 'b|0|' .. ARGV[2] .. '|' .. ARGV[4])
return 1
)lua";

constexpr std::string_view kClaim = R"lua(
local deadlines, now, lease = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
local claimed = {}
for i = 2, #KEYS do
  local id = ARGV[i + 1]
  local score = redis.call('ZSCORE', deadlines, id)
  if score and tonumber(score) <= now then
    local cur = redis.call('HMGET', KEYS[i], 'd', 'x')
    if not (cur[1] and cur[2] and tonumber(cur[2]) > now) then
      redis.call('ZREM', deadlines, id)
    elseif tonumber(cur[1]) > now then
      redis.call('ZADD', deadlines, cur[1], id)
    else
      redis.call('ZADD', deadlines, string.format('%d', now + lease), id)
      claimed[#claimed + 1] = id
    end
  end
end
return claimed
)lua";

constexpr std::string_view kExpire = R"lua(
local deadlines, expiries = KEYS[1], KEYS[2]
local now, channel = tonumber(ARGV[1]), ARGV[2]
local expired = 0
for i = 3, #KEYS do
  local id = ARGV[i]
  local score = redis.call('ZSCORE', expiries, id)
  if score and tonumber(score) <= now then
    local x = redis.call('HGET', KEYS[i], 'x')
    if x and tonumber(x) > now then
      redis.call('ZADD', expiries, x, id)
    else
      redis.call('DEL', KEYS[i])
      redis.call('ZREM', deadlines, id)
      redis.call('ZREM', expiries, id)
      redis.call('PUBLISH', channel, 'd|0|' .. id .. '|')
      expired = expired + 1
    end
  end
end
return expired
)lua";

std::string sha1_hex(std::string_view text) {
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  std::string hex;
  hex.reserve(2 * digest.size());
  constexpr std::string_view kDigits = "0123456789abcdef";
  for (const auto byte : digest) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0xf]);
  }
  return hex;
}

}  // namespace

LuaScript::LuaScript(std::string_view text) : source(text), sha1(sha1_hex(text)) {}

const LuaScript& write_script() {
  static const LuaScript script(kWrite);
  return script;
}
const LuaScript& remove_script() {
  static const LuaScript script(kRemove);
  return script;
}
const LuaScript& broadcast_script() {
  static const LuaScript script(kBroadcast);
  return script;
}
const LuaScript& claim_script() {
  static const LuaScript script(kClaim);
  return script;
}
const LuaScript& expire_script() {
  static const LuaScript script(kExpire);
  return script;
}

asio::awaitable<domain::Result<Reply>> run_script(RedisClient& client, const LuaScript& script,
                                                  std::vector<std::string> keys,
                                                  std::vector<std::string> args) {
  std::vector<std::string> command;
  command.reserve(3 + keys.size() + args.size());
  command.emplace_back("EVALSHA");
  command.push_back(script.sha1);
  command.push_back(std::to_string(keys.size()));
  for (auto& k : keys) command.push_back(std::move(k));
  for (auto& a : args) command.push_back(std::move(a));

  auto reply = co_await client.command(command);
  if (!reply || !reply->is_error() || !reply->str.starts_with("NOSCRIPT")) co_return reply;
  // Not in this Redis's script cache (restarted, failed over, SCRIPT FLUSH): load it.
  std::vector<std::string> load{"SCRIPT", "LOAD", script.source};
  auto loaded = co_await client.command(std::move(load));
  if (!loaded) co_return loaded.error();
  if (loaded->is_error()) co_return *loaded;
  auto again = co_await client.command(std::move(command));
  co_return again;
}

}  // namespace sk::store::redis
