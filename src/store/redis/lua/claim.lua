-- claim: see claim_script() in scripts.h for KEYS, ARGV and the reply.
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
