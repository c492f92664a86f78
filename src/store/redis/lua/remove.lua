-- remove: see remove_script() in scripts.h for KEYS, ARGV and the reply.
local key, deadlines, expiries, audit = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now, id, channel, maxlen = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4]
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
redis.call('PUBLISH', channel, 'd|0|' .. id .. '|' .. ARGV[6])
return 1
