-- claim: claims the due deadlines of one shard. A due session whose stored deadline
-- is still due gets a lease (its index score moves to now + lease) and is returned;
-- an entry whose session moved its deadline is put back at it; an entry of a
-- session gone (or expired) is dropped.
--
-- KEYS[1]       the shard's deadlines sorted set
-- KEYS[2 .. n]  the session hashes (fields d deadline ms, x expiry ms), one per id
--
-- ARGV[1]       now, unix ms (the caller's clock)
-- ARGV[2]       the lease, ms
-- ARGV[3 .. n+1]  the session ids, ARGV[i + 1] for KEYS[i]
--
-- Reply: the claimed ids
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
