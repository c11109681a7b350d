// Package redisquota shares BigCommerce stores' API quotas between
// processes through Redis. Every process that gives its Clients the same
// Limiter configuration, against the same Redis, draws on one count of
// each store's requests per window and one cap on its requests in flight,
// so that a fleet of workers stays within the quota together instead of
// each spending it as if it were alone.
//
// Turn it on with three lines:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
//	limiter := redisquota.MustNew(rdb)
//	client, err := bigcommerce.NewClient(auth, bigcommerce.WithRateLimiter(limiter))
//
// # What is shared
//
// For each store, Redis holds how many requests the current window has
// left, when the window ends, whether a 429 asked everyone to pause, and
// the leases of the requests in flight. Every step that reads and changes
// them is one Lua script, so two processes never both take the last
// request of a window, and the time is Redis's (TIME), so the processes'
// clocks need not agree. The answers' X-Rate-Limit-* headers correct the
// count and the window's end, which is how requests by other apps on the
// store, that do not share this Redis, come to be respected.
//
// The first request to a store whose quota is not known goes alone, and
// the others wait for its answer. A request's slot is a lease that expires
// (WithLeaseTTL), so a process that dies mid-request does not hold it for
// ever; the first request's hold on the store expires after the lease TTL
// or 5 s, whichever is shorter.
//
// # Waiting in line
//
// Requests that must wait, in every process, stand in one line per store
// in Redis and are served in the order they arrived, so no caller gives up
// on bigcommerce.WithMaxRateLimitWait while later ones go first. Each
// waiter learns its place, and for the quota when its turn comes, on the
// round trip it makes anyway, and sleeps until then; one whose turn would
// come too late is refused at once and leaves the line.
//
// # How many processes share a store
//
// Every round trip also renews the Limiter's membership of the store's
// fleet in Redis and brings back how many members were heard from in the
// last minute, so Limiter.FleetSize knows how many processes share the
// store at no extra cost. While Redis is away, the Client paces about that
// fraction of the store instead of all of it. A Limiter that never reached
// Redis guesses: WithExpectedProcesses, else the largest fleet it saw on
// another store, else DefaultExpectedProcesses.
//
// # When Redis fails, and when the machine is busy
//
// A Redis that is down, slow or answering errors never fails a call. A
// Redis that refuses or resets connections is reported at once: the Limiter
// watches go-redis's dials, so it need not wait out go-redis's own retries.
// A Redis that answers late, because a machine is busy, is waited for: while
// Redis has been answering, a round trip may take up to WithMaxStepTimeout,
// so late answers are not taken for an outage. Once a round trip has gone
// unanswered that long, the next ones get only WithStepTimeout until one
// succeeds, so a Redis that stops answering without refusing costs one long
// wait, not one per request. Refusals and resets, which are known at once,
// leave the patience as it was: a Redis back from a restart is slow to
// answer its first round trips, more so on a busy machine. When a round
// trip fails, Acquire returns an error matching
// bigcommerce.ErrLimiterUnavailable and the Client paces with its
// in-process throttle at about a FleetSize-th of the store, logs that once,
// and goes back to the shared limiter when Redis answers again. Release
// gives up by the same rules and leaves its lease to expire. A Redis that
// restarts empty is an ordinary event: the next request probes the quota
// again.
//
// go-redis ignores context deadlines unless ContextTimeoutEnabled is set,
// so with a client without it every round trip runs in a goroutine of its
// own, which costs about a microsecond; set ContextTimeoutEnabled to save
// that.
//
// # Redis Cluster
//
// The keys of one store share a hash tag, its API root in braces, so each
// script touches one slot, and the stores spread over the cluster. Pass a
// *redis.ClusterClient (or any redis.UniversalClient) to New unchanged.
//
// # Keys
//
// With the default prefix, the store at API root R has
//
//	bigcommerce:ratelimit:{R}:state     hash: quota, window, count, window end, pause
//	bigcommerce:ratelimit:{R}:inflight  sorted set: request leases by expiry
//	bigcommerce:ratelimit:{R}:probe     string: the lease probing the quota
//	bigcommerce:ratelimit:{R}:members   sorted set: the fleet's Limiters by expiry
//	bigcommerce:ratelimit:{R}:line      sorted set: waiting requests by order of arrival
//	bigcommerce:ratelimit:{R}:waiters   sorted set: waiting requests by when they lose their place
//
// All of them expire when unused: state and the line after ten minutes,
// members after a minute, the others after the lease TTL.
package redisquota
