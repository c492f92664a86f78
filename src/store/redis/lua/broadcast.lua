-- broadcast: publishes a message to a live session's subscribers; changes nothing.
--
-- KEYS[1]  the session hash (field x: expiry ms)
--
-- ARGV[1]  now, unix ms (the caller's clock)
-- ARGV[2]  the session id
-- ARGV[3]  the events channel
-- (a channel with a hash tag, <prefix>{n}:events, is a cluster's shard channel: SPUBLISH)
-- ARGV[4]  the message, published as "b|0|<id>|<message>"
--
-- Reply: 1 published, 0 no live session
local x = redis.call('HGET', KEYS[1], 'x')
if not x or tonumber(x) <= tonumber(ARGV[1]) then return 0 end
local publish = string.find(ARGV[3], '{', 1, true) and 'SPUBLISH' or 'PUBLISH'
redis.call(publish, ARGV[3], 'b|0|' .. ARGV[2] .. '|' .. ARGV[4])
return 1
