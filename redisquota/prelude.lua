-- The start of both scripts, joined to each when the package loads, so
-- that each is still one script and one EVALSHA: it reads the clock and
-- decodes the store's shared state (rule F1 of the bigcommerce module's
-- docs/pacing.md).
--
-- KEYS[1] state    hash: quota, window, reset_at, sent, others, reserve,
--                  guessed_from, paused_until, probed, ticket, joined_late,
--                  rolled_at
-- KEYS[2] inflight sorted set: lease id -> expiry (ms)
-- KEYS[3] probe    string: the lease id of the request probing the quota
-- KEYS[4] line     sorted set: waiter (lease) id -> ticket, in order of arrival
-- KEYS[5] waiters  sorted set: waiter id -> when it leaves the line unless it asks again (ms)
-- ARGV[1] lease id, which is also the waiter id
-- Both scripts read their own arguments from ARGV[2] on.
--
-- Both return {code, wait_ms, quota, left, reset_in_ms, window_ms,
-- position}: position is how many waiters are ahead of the caller.

-- Redis before 5 must be told that a script writing after TIME replicates
-- its effects; later versions always do.
if redis.replicate_commands then redis.replicate_commands() end

local t = redis.call('TIME')
-- Rule F1: every process reads this one clock, so their clocks cannot
-- disagree.
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- A store nobody paced for this long is probed afresh.
local stateTTL = 600000

local f = redis.call('HMGET', KEYS[1], 'quota', 'window', 'reset_at', 'sent', 'others', 'reserve', 'paused_until', 'probed', 'guessed_from', 'joined_late', 'rolled_at')
local quota = tonumber(f[1]) or 0
local window = tonumber(f[2]) or 0
local resetAt = tonumber(f[3]) or 0
local sent = tonumber(f[4]) or 0
local others = tonumber(f[5]) or 0
local reserve = tonumber(f[6]) or 0
local paused = tonumber(f[7]) or 0
local probed = f[8] == '1'
local guessedFrom = tonumber(f[9]) or 0
local joinedLate = f[10] == '1'
local rolledAt = tonumber(f[11]) or 0

-- left is what the window has left for the fleet: rule P3, and rule F4's
-- reserve for those outside it.
local function left()
  return math.max(quota - sent - math.max(others, reserve), 0)
end

-- roll begins the count of a new window, in which the requests granted
-- before it count as they are answered from it (rule P4), and keeps back
-- for the others what they took of the last one, and one more, unless its
-- count began in its middle (rule F4). It writes the fields given with it
-- too.
local function roll(...)
  reserve = others + 1
  if joinedLate or others == 0 then reserve = 0 end
  sent, others, rolledAt = 0, 0, now
  redis.call('HSET', KEYS[1], 'sent', 0, 'others', 0, 'reserve', reserve, 'joined_late', 0, 'rolled_at', now, ...)
end

-- reply reads the state as the script left it; left is the store's, by
-- the shared count, without the reserve.
local function reply(code, wait, position)
  local l, resetIn = 0, 0
  if quota > 0 then
    l = math.max(quota - sent - others, 0)
    resetIn = math.max(resetAt - now, 0)
  end
  return {code, wait, quota, l, resetIn, window, position}
end
