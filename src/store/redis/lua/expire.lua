-- expire: see expire_script() in scripts.h for KEYS, ARGV and the reply.
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
