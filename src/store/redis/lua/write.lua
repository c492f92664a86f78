-- write: see write_script() in scripts.h for KEYS, ARGV and the reply.
local key, deadlines, expiries, audit, watched = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local mode, now, expires, ttl = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local expected, version, state, deadline = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local id, channel, maxlen, nevents = ARGV[9], ARGV[10], ARGV[11], tonumber(ARGV[12])
local life = ARGV[13]  -- created_at (ms): tells apart the lives of a re-created id
local cur = redis.call('HMGET', key, 'v', 'x')
local live = cur[1] and cur[2] and tonumber(cur[2]) > now
if mode == 'create' then
  if live then return {'exists'} end
  redis.call('DEL', key)
else
  if not live then return {'not_found'} end
  if expected ~= '' and cur[1] ~= expected then return {'conflict', cur[1]} end
end
redis.call('HSET', key, 's', state, 'v', version, 'x', expires, 'c', life)
if deadline ~= '' then
  redis.call('HSET', key, 'd', deadline)
  redis.call('ZADD', deadlines, deadline, id)
else
  redis.call('HDEL', key, 'd')
  redis.call('ZREM', deadlines, id)
end
redis.call('PEXPIRE', key, ttl)
redis.call('ZADD', expiries, expires, id)
local i = 14
for n = 1, nevents do
  local fields = {'id', id .. ':' .. life .. ':' .. version .. ':' .. n, 'session', id,
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
      redis.call('PUBLISH', channel, 'u|' .. version .. '|' .. id .. '|' .. ARGV[j])
    end
  else  -- nobody watches: the version alone, for caches and long polls
    redis.call('PUBLISH', channel, 'u|' .. version .. '|' .. id .. '|')
  end
end
return {'ok'}
