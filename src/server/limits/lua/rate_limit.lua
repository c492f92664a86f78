-- rate_limit: one request against one GCRA bucket (server/limits/gcra.h has the
-- sums and why; this repeats them in Lua). Atomic: instances sharing a key never
-- interleave, so their requests together never pass more than the limit.
--
-- The time is Redis's own (TIME), not the caller's: every instance then measures the
-- bucket on one clock, whatever the skew between their machines. (The session
-- scripts take the time as an argument because their times are session data that
-- instances must agree with; a rate limit's TAT never leaves this script.)
--
-- KEYS[1]  the bucket: a string holding its TAT, unix µs (absent: a full bucket);
--          it expires when the bucket is full again (PX), so idle keys cost nothing
--
-- ARGV[1]  T, the emission interval, µs (>= 1)
-- ARGV[2]  the limit (>= 1); capacity = limit * T
--
-- Reply: {allowed 1|0, remaining, reset µs, retry-after µs (0 when allowed)}
-- Every number stays below 2^53, so Lua's doubles hold them exactly.
local interval, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
local capacity = interval * limit
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local stored = redis.call('GET', KEYS[1])
local start = now
if stored then start = math.max(tonumber(stored), now) end
local tat = start + interval
if tat - now > capacity then
  return {0, 0, start - now, tat - capacity - now}
end
redis.call('SET', KEYS[1], string.format('%d', tat), 'PX',
           string.format('%d', math.ceil((tat - now) / 1000)))
return {1, math.floor((capacity - (tat - now)) / interval), tat - now, 0}
