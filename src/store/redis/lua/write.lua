-- write: creates or updates one session, atomically with its TTL, its deadline and
-- expiry index entries, its audit events and its messages (SPEC §5).
--
-- KEYS[1]  the session hash (fields s state, v version, x expiry ms, d deadline ms,
--          c created_at ms, r the expiry the backstop and expiry index were set to,
--          w the last write's nonce)
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
-- (a channel with a hash tag, <prefix>{n}:events, is a cluster's shard channel: SPUBLISH)
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
--          ("u|<version>|<id>|") for caches and long polls. The caller may leave them
--          out (ARGV[14] still names their kinds) when it expects nobody to watch:
--          most sessions are not watched, and their messages are most of the bytes.
--
-- Reply: {"ok"} | {"exists"} (create of a live session) | {"not_found"} (update of
-- none) | {"conflict", <actual version>} (update whose ARGV[5] is not the version) |
-- {"watched"} (the messages were left out and the session is watched: nothing was
-- written, call again with them)
local key, deadlines, expiries, audit, watched = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local mode, now, expires, ttl = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local expected, version, state, deadline = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local id, channel, maxlen, nevents = ARGV[9], ARGV[10], ARGV[11], tonumber(ARGV[12])
local publish = string.find(channel, '{', 1, true) and 'SPUBLISH' or 'PUBLISH'
local life = ARGV[13]  -- created_at (ms): tells apart the lives of a re-created id
local kinds, nonce = ARGV[14], ARGV[15]
local cur = redis.call('HMGET', key, 'v', 'x', 'r')
local live = cur[1] and cur[2] and tonumber(cur[2]) > now
if mode == 'create' then
  if live then return {'exists'} end
else
  if not live then return {'not_found'} end
  if expected ~= '' and cur[1] ~= expected then return {'conflict', cur[1]} end
end
local nmessages = #kinds
local is_watched = false
if nmessages > 0 then
  local lease = redis.call('ZSCORE', watched, id)
  is_watched = lease and tonumber(lease) > now
  -- Left out but needed in full: before anything is written.
  if is_watched and #ARGV < 15 + nevents + nmessages then return {'watched'} end
end
if mode == 'create' then redis.call('DEL', key) end  -- a dead life's fields
-- The backstop and the expiry index follow x only when it moved by a tenth of the
-- shorter of the TTL and the backstop's grace since they were last set (field r, the
-- expiry they were set to): a session switched 100 times a second refreshes them
-- every few seconds, not 100 times. x itself is written every time and is what reads
-- and expire.lua decide on; an index entry earlier than x is moved to x by
-- expire.lua when it comes due, and the backstop stays later than x.
local expires_ms = tonumber(expires)
local slack = math.min(expires_ms - now, tonumber(ttl) - (expires_ms - now)) / 10
local refresh = mode == 'create' or not cur[3] or expires_ms - tonumber(cur[3]) >= slack
-- One HSET of every field: each redis.call is a command of its own to Redis.
local fields = {'s', state, 'v', version, 'x', expires, 'c', life, 'w', nonce}
if refresh then
  fields[#fields + 1] = 'r'
  fields[#fields + 1] = expires
end
if deadline ~= '' then
  fields[#fields + 1] = 'd'
  fields[#fields + 1] = deadline
  redis.call('HSET', key, unpack(fields))
  redis.call('ZADD', deadlines, deadline, id)
else
  redis.call('HSET', key, unpack(fields))
  redis.call('HDEL', key, 'd')
  redis.call('ZREM', deadlines, id)
end
if refresh then
  redis.call('PEXPIRE', key, ttl)
  redis.call('ZADD', expiries, expires, id)
end
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
if nmessages > 0 then
  if is_watched then
    for j = i, #ARGV do
      local kind = string.sub(kinds, j - i + 1, j - i + 1)
      redis.call(publish, channel, kind .. '|' .. version .. '|' .. id .. '|' .. ARGV[j])
    end
  else  -- nobody watches: the version alone, for caches and long polls
    redis.call(publish, channel, 'u|' .. version .. '|' .. id .. '|')
  end
end
return {'ok'}
