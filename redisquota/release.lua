-- Ends one request: frees its slot, ends the probe if it was the probe, and
-- corrects the shared count and the window's end from what its answer
-- said. The server's headers are the truth; they also carry the use of
-- the store by apps that do not share this Redis.
--
-- Follows prelude.lua, which holds the KEYS, the first ARGV and the
-- reply.
-- ARGV[2]  1 when an answer came, else 0 (the other arguments are unused)
-- ARGV[3]  HTTP status
-- ARGV[4]  ms since the answer arrived: the headers are relative to then
-- ARGV[5]  1 when the answer carried X-Rate-Limit-Requests-Left
-- ARGV[6]  X-Rate-Limit-Requests-Quota (0 when absent)
-- ARGV[7]  X-Rate-Limit-Requests-Left
-- ARGV[8]  X-Rate-Limit-Time-Reset-Ms (0 when absent)
-- ARGV[9]  X-Rate-Limit-Time-Window-Ms (0 when absent)
-- ARGV[10] how long the answer pauses everyone (ms, rule P7), -1 for no pause
-- ARGV[11] the longest pause one answer may impose (ms), besides a window
-- ARGV[12] the lease TTL (ms) the request was granted with
--
-- Returns code 0, no wait and position 0.

-- The lease's expiry tells when the request was granted (rule P4).
local expiry = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[1]))
redis.call('ZREM', KEYS[2], ARGV[1])
-- A caller that gave up waiting leaves the line this way too.
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])

local probe = redis.call('GET', KEYS[3]) == ARGV[1]
if probe then
  -- Without an answer the next request probes again; with one, the
  -- waiters go on what it said.
  redis.call('DEL', KEYS[3])
end

if ARGV[2] == '1' then
  if probe then redis.call('HSET', KEYS[1], 'probed', 1) end
  local at = now - tonumber(ARGV[4])
  local maxPause = tonumber(ARGV[11])
  local rq = tonumber(ARGV[6])
  local late = false
  local rleft, rreset, rwindow
  -- Rule P1: a quota of zero would hold every request for ever.
  if ARGV[5] == '1' and rq > 0 then
    rleft, rreset, rwindow = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
    -- Rule P2: an absurd reset time must not stall the store for days, and
    -- an answer that says the window ends well before the end already known
    -- belongs to an older window.
    local newReset = at + math.min(rreset, math.max(rwindow, maxPause))
    local tolerance = math.min(50, rwindow / 4)
    if quota > 0 then
      if guessedFrom > 0 then
        late = newReset <= guessedFrom + tolerance
      else
        late = newReset < resetAt - tolerance
      end
    end
    if not late then
      -- Rule F4: a count that begins in a window's middle cannot tell who
      -- took what came before it: the fleet itself, pacing alone while
      -- Redis was away and forgot it, or others.
      if quota == 0 and rwindow - rreset > tolerance then
        redis.call('HSET', KEYS[1], 'joined_late', 1)
      end
      -- Rule P4: an answer from a window that opened before the end an
      -- earlier answer told ran out (one read late puts it late) begins
      -- that window's count, in which it counts as carried, below; one
      -- read late in the same window is not half a window out.
      if quota > 0 and guessedFrom == 0 and newReset > resetAt + rwindow / 2 then
        roll()
      end
      quota, window, resetAt = rq, rwindow, newReset
      redis.call('HSET', KEYS[1], 'quota', quota, 'window', window, 'reset_at', resetAt, 'guessed_from', 0)
    end
  end
  local refused = tonumber(ARGV[3]) == 429
  -- Rule P4: a request granted before the count rolled that the store
  -- counted in the new window is the fleet's there, not the others'. (A
  -- release from a version without ARGV[12] counts none.)
  local carried = expiry and expiry - (tonumber(ARGV[12]) or 0) < rolledAt
  if carried and rleft and not late and not refused then
    sent = redis.call('HINCRBY', KEYS[1], 'sent', 1)
  end
  -- Rule P3: the store does not count a request it refused.
  if refused and not late and not carried and sent > 0 then
    sent = sent - 1
    redis.call('HSET', KEYS[1], 'sent', sent)
  end
  -- Rule F4: a refusal says the window is spent, which its pause covers;
  -- only what the others took is kept back for them in the next window.
  if rleft and not late and not refused then
    -- Rule P3: the server had counted quota-left requests of this window;
    -- at most sent of them went through this Redis, the rest were others'.
    local o = rq - rleft - sent
    if o > others then
      others = o
      redis.call('HSET', KEYS[1], 'others', others)
    end
  end
  -- Rule P7: every process pauses as long as the 429 asked (PauseAfter, in
  -- Go, says how long), not only the one that got it.
  local pause = tonumber(ARGV[10])
  if pause > 0 and at + pause > paused then
    redis.call('HSET', KEYS[1], 'paused_until', at + pause)
  end
  redis.call('PEXPIRE', KEYS[1], stateTTL)
end

return reply(0, 0, 0)
