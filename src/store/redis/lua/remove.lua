-- remove: deletes one session with its index entries; if it was live, appends the
-- deletion to the audit stream and publishes it.
--
-- KEYS[1]  the session hash
-- KEYS[2]  the shard's deadlines sorted set
-- KEYS[3]  the shard's expiries sorted set
-- KEYS[4]  the shard's audit stream
--
-- ARGV[1]  now, unix ms (the caller's clock)
-- ARGV[2]  the session id
-- ARGV[3]  the events channel
-- (a channel with a hash tag, <prefix>{n}:events, is a cluster's shard channel: SPUBLISH)
-- ARGV[4]  audit stream max length, approximate ("0": never trim)
-- ARGV[5]  the session_deleted event JSON (audit id "<session>:<created_ms>:<version>:deleted")
-- ARGV[6]  the message, published as "d|0|<id>|<message>"
--
-- Reply: 1 removed a live session, 0 nothing live was there
local key, deadlines, expiries, audit = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now, id, channel, maxlen = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4]
local publish = string.find(channel, '{', 1, true) and 'SPUBLISH' or 'PUBLISH'
local cur = redis.call('HMGET', key, 's', 'v', 'x', 'c')
redis.call('DEL', key)
redis.call('ZREM', deadlines, id)
redis.call('ZREM', expiries, id)
if not (cur[1] and cur[2] and cur[3] and tonumber(cur[3]) > now) then return 0 end
local fields = {'id', id .. ':' .. (cur[4] or '0') .. ':' .. cur[2] .. ':deleted', 'session', id,
                'version', cur[2], 'event', ARGV[5], 'state', cur[1]}
if maxlen == '0' then  -- an audit writer consumes the stream: never trim
  redis.call('XADD', audit, '*', unpack(fields))
else
  redis.call('XADD', audit, 'MAXLEN', '~', maxlen, '*', unpack(fields))
end
redis.call(publish, channel, 'd|0|' .. id .. '|' .. ARGV[6])
return 1
