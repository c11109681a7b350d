-- Takes one request of a store's quota and one slot of its cap on requests
-- in flight, or says why the request must wait. One call is one atomic
-- step, so two processes can never both take the last request of a window.
--
-- Requests that must wait stand in one line per store, across processes,
-- and are served in the order they joined it: a waiter goes only when
-- fewer waiters are ahead of it than there are requests (and slots) to
-- give, so no later caller can pass it. Each waiter's place is re-read on
-- the call it makes anyway when it asks again.
--
-- Follows prelude.lua, which holds the KEYS, the first ARGV and the
-- reply.
-- ARGV[2] cap on requests in flight
-- ARGV[3] lease TTL (ms)
-- ARGV[4] probe TTL (ms)
-- ARGV[5] the longest the caller may still wait (ms)
-- ARGV[6] how long past its time to ask again a waiter keeps its place (ms)
--
-- code is 0 granted, 1 granted as the probe, 2 wait wait_ms for the quota
-- or a 429's pause, 3 wait for a slot, 4 wait for the probe's answer, 5
-- refused: its turn comes in wait_ms, later than it may wait.

local cap, ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
-- Rule P5: waking a hair late costs nothing; waking early costs a 429.
local margin = 5

redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)

-- Rule F2: waiters that stopped asking (their call ended, their process
-- died) leave the line, a bounded number per call so that no call runs
-- long.
local gone = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now, 'LIMIT', 0, 100)
if #gone > 0 then
  redis.call('ZREM', KEYS[4], unpack(gone))
  redis.call('ZREM', KEYS[5], unpack(gone))
end
local rank = redis.call('ZRANK', KEYS[4], ARGV[1])
-- A newcomer's place is behind everyone waiting.
local ahead = rank or redis.call('ZCARD', KEYS[4])
local allow = tonumber(ARGV[5])
local grace = tonumber(ARGV[6])

local function leave()
  if rank then
    redis.call('ZREM', KEYS[4], ARGV[1])
    redis.call('ZREM', KEYS[5], ARGV[1])
  end
end

-- wait keeps the caller's place in line, or takes one at its end, until
-- wait_ms plus the grace from now; a turn that comes later than the caller
-- may wait is refused at once, and the place given up, so that it holds
-- nobody back.
local function wait(code, ms)
  if code == 2 and ms > allow then
    leave()
    return reply(5, ms, ahead)
  end
  if not rank then
    redis.call('ZADD', KEYS[4], redis.call('HINCRBY', KEYS[1], 'ticket', 1), ARGV[1])
  end
  redis.call('ZADD', KEYS[5], now + ms + grace, ARGV[1])
  redis.call('PEXPIRE', KEYS[4], stateTTL)
  redis.call('PEXPIRE', KEYS[5], stateTTL)
  redis.call('PEXPIRE', KEYS[1], stateTTL)
  return reply(code, ms, ahead)
end

-- Rule P10: the cap on requests in flight, store-wide, less (rule F4) the
-- others' share of it, as of their share of the last window; in the
-- count's first window (rule P6), one more than twice the answers.
local inflight = redis.call('ZCARD', KEYS[2])
local slots = cap - inflight
if quota > 0 and reserve > 0 then
  slots = slots - math.ceil(cap * reserve / quota)
end
if quota > 0 and rolledAt == 0 and not joinedLate then
  slots = math.min(slots, 1 + 2 * (sent - inflight) - inflight)
end
if slots <= 0 then
  return wait(3, 0)
end
-- Rule P7.
if now < paused then
  return wait(2, paused - now + margin)
end

local code = 0
if quota > 0 then
  local w = window
  if w <= 0 then w = 1000 end
  if now >= resetAt then
    -- Rule P4: the window has refilled. Until an answer says when the
    -- next one ends, assume a full window from now, and remember where the
    -- old one ended to tell its late answers from the new window's.
    roll('guessed_from', resetAt, 'reset_at', now + w)
    resetAt = now + w
  end
  local l = left()
  if ahead >= l then
    -- Rule F2: this window's requests go to the waiters ahead; each later
    -- window serves a quota's worth of the line.
    local later = math.floor((ahead - l) / quota)
    return wait(2, resetAt - now + later * w + margin)
  end
  if ahead >= slots then
    return wait(3, 0)
  end
  sent = redis.call('HINCRBY', KEYS[1], 'sent', 1)
else
  if ahead >= slots then
    return wait(3, 0)
  end
  if not probed then
    -- Rules P6 and F3: the quota is unknown: the first in line goes alone
    -- and the others wait for what its answer says, or for its lease to
    -- expire if it never comes.
    if ahead > 0 or not redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[4]) then
      return wait(4, 0)
    end
    code = 1
  end
  -- Rule P3: the first answer counts this request as the fleet's.
  redis.call('HINCRBY', KEYS[1], 'sent', 1)
end

leave()
redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('PEXPIRE', KEYS[1], stateTTL)
return reply(code, 0, 0)
