-- write: creates or updates one session, atomically with its TTL, its deadline and
-- expiry index entries, its audit events and its messages (SPEC §5).
--
-- KEYS[1]  the session hash (fields s state, v version, x expiry ms, d deadline ms,
--          c created_at ms, w the last write's nonce)
-- KEYS[2]  the shard's deadlines sorted set (score: deadline ms)
-- KEYS[3]  the shard's expiries sorted set (score: expiry ms)
-- KEYS[4]  the shard's audit stream
-- KEYS[5]  the shard's watch leases sorted set (score: lease end ms)
--
-- ARGV is built in one place, WriteScriptArgs::to_argv() in scripts.cc:
-- ARGV[1]   mode: "create" or "update"
-- ARGV[2]   now, unix ms (the caller's clock; never Redis's TIME)
-- ARGV[3]   the session's expiry, unix ms (now + TTL), stored as x
-- ARGV[4]   PEXPIRE of the key in ms: a backstop later than the expiry
-- ARGV[5]   update: the expected current version, "" for none
-- ARGV[6]   the new version
-- ARGV[7]   the new state (stored session JSON)
-- ARGV[8]   the deadline, unix ms, "" for none
-- ARGV[9]   the session id
-- ARGV[10]  the events channel
-- ARGV[11]  audit stream max length, approximate ("0": never trim)
-- ARGV[12]  N, the number of audit events that follow
-- ARGV[13]  created_at, unix ms: the session's life (audit ids, field c)
-- ARGV[14]  the messages' kinds, one character each: u (the state update), e (another
--          message of the write, e.g. TIME_EXPIRED): bus_message.h
-- ARGV[15]  the write's nonce: random per write (issue 16), stored as w and ending its
--          audit ids, so a version reused after Redis lost writes is recorded again
-- ARGV[16 .. 15+N]  the audit events' JSON, appended with id
--          "<session>:<created_ms>:<version>:<n>:<nonce>" (domain/audit_record.h),
--          session, version, event, state
-- ARGV[16+N ..]  the messages: published in full ("<kind>|<version>|<id>|<message>")
--          when the session's watch lease runs past now, else one bare version
--          ("u|<version>|<id>|") for caches and long polls
--
-- Reply: {"ok"} | {"exists"} (create of a live session) | {"not_found"} (update of
-- none) | {"conflict", <actual version>} (update whose ARGV[5] is not the version)
local key, deadlines, expiries, audit, watched = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local mode, now, expires, ttl = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local expected, version, state, deadline = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local id, channel, maxlen, nevents = ARGV[9], ARGV[10], ARGV[11], tonumber(ARGV[12])
local life = ARGV[13]  -- created_at (ms): tells apart the lives of a re-created id
local kinds, nonce = ARGV[14], ARGV[15]
local cur = redis.call('HMGET', key, 'v', 'x')
local live = cur[1] and cur[2] and tonumber(cur[2]) > now
if mode == 'create' then
  if live then return {'exists'} end
  redis.call('DEL', key)
else
  if not live then return {'not_found'} end
  if expected ~= '' and cur[1] ~= expected then return {'conflict', cur[1]} end
end
redis.call('HSET', key, 's', state, 'v', version, 'x', expires, 'c', life, 'w', nonce)
if deadline ~= '' then
  redis.call('HSET', key, 'd', deadline)
  redis.call('ZADD', deadlines, deadline, id)
else
  redis.call('HDEL', key, 'd')
  redis.call('ZREM', deadlines, id)
end
redis.call('PEXPIRE', key, ttl)
redis.call('ZADD', expiries, expires, id)
local i = 16
for n = 1, nevents do
  local fields = {'id', id .. ':' .. life .. ':' .. version .. ':' .. n .. ':' .. nonce, 'session', id,
                  'version', version, 'event', ARGV[i], 'state', state}
  if maxlen == '0' then  -- an audit writer consumes the stream: never trim
    redis.call('XADD', audit, '*', unpack(fields))
  else
    redis.call('XADD', audit, 'MAXLEN', '~', maxlen, '*', unpack(fields))
  end
  i = i + 1
end
if i <= #ARGV then
  local lease = redis.call('ZSCORE', watched, id)
  if lease and tonumber(lease) > now then
    for j = i, #ARGV do
      local kind = string.sub(kinds, j - i + 1, j - i + 1)
      redis.call('PUBLISH', channel, kind .. '|' .. version .. '|' .. id .. '|' .. ARGV[j])
    end
  else  -- nobody watches: the version alone, for caches and long polls
    redis.call('PUBLISH', channel, 'u|' .. version .. '|' .. id .. '|')
  end
end
return {'ok'}
