-- broadcast: see broadcast_script() in scripts.h for KEYS, ARGV and the reply.
local x = redis.call('HGET', KEYS[1], 'x')
if not x or tonumber(x) <= tonumber(ARGV[1]) then return 0 end
redis.call('PUBLISH', ARGV[3], 'b|0|' .. ARGV[2] .. '|' .. ARGV[4])
return 1
