-- The start of both scripts, joined to each when the package loads, so
-- that each is still one script and one EVALSHA: it reads the clock, renews
-- the caller's membership of the store's fleet, and decodes the store's
-- shared state.
--
-- KEYS[1] state    hash: quota, window, reset_at, sent, others,
--                  guessed_from, paused_until, probed, ticket,
--                  expected, expected_until
-- KEYS[2] inflight sorted set: lease id -> expiry (ms)
-- KEYS[3] probe    string: the lease id of the request probing the quota
-- KEYS[4] members  sorted set: member (process) id -> expiry (ms)
-- KEYS[5] line     sorted set: waiter (lease) id -> ticket, in order of arrival
-- KEYS[6] waiters  sorted set: waiter id -> when it leaves the line unless it asks again (ms)
-- KEYS[7] active   sorted set: member id -> when it last asked for a request (ms)
-- ARGV[1] lease id, which is also the waiter id
-- ARGV[2] member id of the calling Limiter
-- ARGV[3] member TTL (ms)
-- Both scripts read their own arguments from ARGV[4] on.
--
-- Both return {code, wait_ms, quota, left, reset_in_ms, window_ms, fleet,
-- position}: fleet is how many Limiters are live members of the store,
-- position how many waiters are ahead of the caller.

-- Redis before 5 must be told that a script writing after TIME replicates
-- its effects; later versions always do.
if redis.replicate_commands then redis.replicate_commands() end

local t = redis.call('TIME')
-- Every process reads this one clock, so their clocks cannot disagree.
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- A store nobody paced for this long is probed afresh.
local stateTTL = 600000

-- The caller is a live member of the store's fleet for the member TTL
-- from now; members not heard from for that long have left it.
local memberTTL = tonumber(ARGV[3])
redis.call('ZADD', KEYS[4], now + memberTTL, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
redis.call('PEXPIRE', KEYS[4], memberTTL)
local fleet = redis.call('ZCARD', KEYS[4])

local f = redis.call('HMGET', KEYS[1], 'quota', 'window', 'reset_at', 'sent', 'others', 'paused_until', 'probed', 'guessed_from', 'expected', 'expected_until')
local quota = tonumber(f[1]) or 0
local window = tonumber(f[2]) or 0
local resetAt = tonumber(f[3]) or 0
local sent = tonumber(f[4]) or 0
local others = tonumber(f[5]) or 0
local paused = tonumber(f[6]) or 0
local probed = f[7] == '1'
local guessedFrom = tonumber(f[8]) or 0
local expected, expectedUntil = tonumber(f[9]) or 0, tonumber(f[10]) or 0

-- reply reads the state as the script left it.
local function reply(code, wait, position)
  local left, resetIn = 0, 0
  if quota > 0 then
    left = math.max(quota - sent - others, 0)
    resetIn = math.max(resetAt - now, 0)
  end
  return {code, wait, quota, left, resetIn, window, fleet, position}
end
