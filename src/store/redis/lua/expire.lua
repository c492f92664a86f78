-- expire: expires the sessions of one shard whose expiry is due, unless a write
-- refreshed them meanwhile (then the index entry moves to the new expiry): deletes
-- each, drops its index entries, appends `event` to the audit stream (so recovery
-- never brings it back) and publishes "d|0|<id>|" (an empty payload).
--
-- KEYS[1]       the shard's deadlines sorted set
-- KEYS[2]       the shard's expiries sorted set
-- KEYS[3]       the shard's audit stream
-- KEYS[4 .. n]  the session hashes (fields x, s, v, c), one per id
--
-- ARGV[1]       now, unix ms (the caller's clock)
-- ARGV[2]       the events channel
-- (a channel with a hash tag, <prefix>{n}:events, is a cluster's shard channel: SPUBLISH)
-- ARGV[3]       audit stream max length, approximate ("0": never trim)
-- ARGV[4]       the session_deleted event JSON (audit id "<session>:<created_ms>:<version>:deleted")
-- ARGV[5 .. n+1]  the session ids, ARGV[i + 1] for KEYS[i]
--
-- Reply: the number of sessions expired
local deadlines, expiries, audit = KEYS[1], KEYS[2], KEYS[3]
local now, channel, maxlen, event = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4]
local publish = string.find(channel, '{', 1, true) and 'SPUBLISH' or 'PUBLISH'
local expired = 0
for i = 4, #KEYS do
  local id = ARGV[i + 1]
  local score = redis.call('ZSCORE', expiries, id)
  if score and tonumber(score) <= now then
    local cur = redis.call('HMGET', KEYS[i], 'x', 's', 'v', 'c')
    if cur[1] and tonumber(cur[1]) > now then
      redis.call('ZADD', expiries, cur[1], id)
    else
      redis.call('DEL', KEYS[i])
      redis.call('ZREM', deadlines, id)
      redis.call('ZREM', expiries, id)
      if cur[2] and cur[3] then
        -- Audited like a deletion, so recovery never brings an expired session back.
        local life = cur[4] or '0'
        local fields = {'id', id .. ':' .. life .. ':' .. cur[3] .. ':deleted', 'session', id,
                        'version', cur[3], 'event', event, 'state', cur[2]}
        if maxlen == '0' then
          redis.call('XADD', audit, '*', unpack(fields))
        else
          redis.call('XADD', audit, 'MAXLEN', '~', maxlen, '*', unpack(fields))
        end
      end
      redis.call(publish, channel, 'd|0|' .. id .. '|')
      expired = expired + 1
    end
  end
end
return expired
