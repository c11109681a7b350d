-- Takes one request of a store's quota and one slot of its cap on requests
-- in flight, or says why the request must wait. One call is one atomic
-- step, so two processes can never both take the last request of a window.
--
-- KEYS[1] state    hash: quota, window, reset_at, sent, others,
--                  guessed_from, paused_until, probed
-- KEYS[2] inflight sorted set: lease id -> expiry (ms)
-- KEYS[3] probe    string: the lease id of the request probing the quota
-- KEYS[4] members  sorted set: member (process) id -> expiry (ms)
-- ARGV[1] lease id
-- ARGV[2] member id of the calling Limiter
-- ARGV[3] member TTL (ms)
-- ARGV[4] cap on requests in flight
-- ARGV[5] lease TTL (ms)
-- ARGV[6] probe TTL (ms)
--
-- Returns {code, wait_ms, quota, left, reset_in_ms, window_ms, fleet};
-- code is 0 granted, 1 granted as the probe, 2 wait wait_ms for the quota
-- or a 429's pause, 3 wait for a slot, 4 wait for the probe's answer;
-- fleet is how many Limiters are live members of the store.

-- Redis before 5 must be told that a script writing after TIME replicates
-- its effects; later versions always do.
if redis.replicate_commands then redis.replicate_commands() end

local t = redis.call('TIME')
-- Every process reads this one clock, so their clocks cannot disagree.
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cap, ttl = tonumber(ARGV[4]), tonumber(ARGV[5])
-- Waking a hair late costs nothing; waking early costs a 429.
local margin = 5
-- A store nobody paced for this long is probed afresh.
local stateTTL = 600000

redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)

-- The caller is a live member of the store's fleet for the member TTL
-- from now; members not heard from for that long have left it.
local memberTTL = tonumber(ARGV[3])
redis.call('ZADD', KEYS[4], now + memberTTL, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
redis.call('PEXPIRE', KEYS[4], memberTTL)
local fleet = redis.call('ZCARD', KEYS[4])

local f = redis.call('HMGET', KEYS[1], 'quota', 'window', 'reset_at', 'sent', 'others', 'paused_until', 'probed')
local quota = tonumber(f[1]) or 0
local window = tonumber(f[2]) or 0
local resetAt = tonumber(f[3]) or 0
local sent = tonumber(f[4]) or 0
local others = tonumber(f[5]) or 0
local paused = tonumber(f[6]) or 0

local function reply(code, wait)
  local left, resetIn = 0, 0
  if quota > 0 then
    left = math.max(quota - sent - others, 0)
    resetIn = math.max(resetAt - now, 0)
  end
  return {code, wait, quota, left, resetIn, window, fleet}
end

if redis.call('ZCARD', KEYS[2]) >= cap then
  return reply(3, 0)
end
if now < paused then
  return reply(2, paused - now + margin)
end

local code = 0
if quota > 0 then
  if now >= resetAt then
    -- The window has refilled. Until an answer says when the next one
    -- ends, assume a full window from now, and remember where the old one
    -- ended to tell its late answers from the new window's.
    local w = window
    if w <= 0 then w = 1000 end
    redis.call('HSET', KEYS[1], 'sent', 0, 'others', 0, 'guessed_from', resetAt, 'reset_at', now + w)
    sent, others, resetAt = 0, 0, now + w
  end
  if quota - sent - others <= 0 then
    return reply(2, resetAt - now + margin)
  end
  sent = redis.call('HINCRBY', KEYS[1], 'sent', 1)
elseif f[7] ~= '1' then
  -- The quota is unknown: one request goes alone and the others wait for
  -- what its answer says, or for its lease to expire if it never comes.
  if not redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[6]) then
    return reply(4, 0)
  end
  code = 1
end

redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('PEXPIRE', KEYS[1], stateTTL)
return reply(code, 0)
