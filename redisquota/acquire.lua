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
-- ARGV[4] cap on requests in flight
-- ARGV[5] lease TTL (ms)
-- ARGV[6] probe TTL (ms)
-- ARGV[7] the longest the caller may still wait (ms)
-- ARGV[8] how long past its time to ask again a waiter keeps its place (ms)
-- ARGV[9] the fleet's size as the caller last knew it, when its last step
--         failed and it comes back from pacing alone; else 0
-- ARGV[10] requests the caller's process sent alone in this window, when it
--         comes back from pacing alone; counted if the request is granted
--
-- code is 0 granted, 1 granted as the probe, 2 wait wait_ms for the quota
-- or a 429's pause, 3 wait for a slot, 4 wait for the probe's answer, 5
-- refused: its turn comes in wait_ms, later than it may wait.

local cap, ttl = tonumber(ARGV[4]), tonumber(ARGV[5])
-- Waking a hair late costs nothing; waking early costs a 429.
local margin = 5

redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)

-- Waiters that stopped asking (their call ended, their process died) leave
-- the line, a bounded number per call so that no call runs long.
local gone = redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', now, 'LIMIT', 0, 100)
if #gone > 0 then
  redis.call('ZREM', KEYS[5], unpack(gone))
  redis.call('ZREM', KEYS[6], unpack(gone))
end
local rank = redis.call('ZRANK', KEYS[5], ARGV[1])
-- A newcomer's place is behind everyone waiting.
local ahead = rank or redis.call('ZCARD', KEYS[5])
local allow = tonumber(ARGV[7])
local grace = tonumber(ARGV[8])

-- After Redis lost the fleet (an outage, a restart that came back empty),
-- its processes come back one by one, each at a window's edge after its
-- own first step succeeds; until then they pace alone with their shares,
-- unseen here. A process coming back says how large the fleet was, and
-- for three windows the shares of the members not heard from in the last
-- window are kept back, so that the count here and the processes still
-- alone do not spend one window twice.
-- KEYS[7] active: member id -> when it last asked for a request (ms).
redis.call('ZADD', KEYS[7], now, ARGV[2])
redis.call('PEXPIRE', KEYS[7], stateTTL)
local hint = tonumber(ARGV[9]) or 0
if now >= expectedUntil then expected = 0 end
if hint > 0 then
  local w = window
  if w <= 0 then w = 1000 end
  expected, expectedUntil = math.max(expected, hint), now + 3 * w
  redis.call('HSET', KEYS[1], 'expected', expected, 'expected_until', expectedUntil)
end

local function leave()
  if rank then
    redis.call('ZREM', KEYS[5], ARGV[1])
    redis.call('ZREM', KEYS[6], ARGV[1])
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
    redis.call('ZADD', KEYS[5], redis.call('HINCRBY', KEYS[1], 'ticket', 1), ARGV[1])
  end
  redis.call('ZADD', KEYS[6], now + ms + grace, ARGV[1])
  redis.call('PEXPIRE', KEYS[5], stateTTL)
  redis.call('PEXPIRE', KEYS[6], stateTTL)
  redis.call('PEXPIRE', KEYS[1], stateTTL)
  return reply(code, ms, ahead)
end

local slots = cap - redis.call('ZCARD', KEYS[2])
if slots <= 0 then
  return wait(3, 0)
end
if now < paused then
  return wait(2, paused - now + margin)
end

local code = 0
if quota > 0 then
  local w = window
  if w <= 0 then w = 1000 end
  if now >= resetAt then
    -- The window has refilled. Until an answer says when the next one
    -- ends, assume a full window from now, and remember where the old one
    -- ended to tell its late answers from the new window's.
    redis.call('HSET', KEYS[1], 'sent', 0, 'others', 0, 'guessed_from', resetAt, 'reset_at', now + w)
    sent, others, resetAt = 0, 0, now + w
  end
  local reserve = 0
  if expected > 1 then
    -- Members that asked for a request here within the last window; a
    -- process pacing alone asks nothing.
    local present = redis.call('ZCOUNT', KEYS[7], now - w, '+inf')
    if present < expected then
      reserve = math.ceil(quota * (expected - present) / expected)
    end
  end
  -- What the caller's process spent alone in this window is spent.
  local alone = tonumber(ARGV[10]) or 0
  local left = math.max(quota - sent - others - reserve - alone, 0)
  if ahead >= left then
    -- This window's requests go to the waiters ahead; each later window
    -- serves a quota's worth of the line.
    local later = math.floor((ahead - left) / quota)
    return wait(2, resetAt - now + later * w + margin)
  end
  if ahead >= slots then
    return wait(3, 0)
  end
  sent = redis.call('HINCRBY', KEYS[1], 'sent', 1)
  if alone > 0 then
    others = redis.call('HINCRBY', KEYS[1], 'others', alone)
  end
else
  if ahead >= slots then
    return wait(3, 0)
  end
  if not probed then
    -- The quota is unknown: the first in line goes alone and the others
    -- wait for what its answer says, or for its lease to expire if it
    -- never comes.
    if ahead > 0 or not redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[6]) then
      return wait(4, 0)
    end
    code = 1
  end
end

leave()
redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('PEXPIRE', KEYS[1], stateTTL)
return reply(code, 0, 0)
