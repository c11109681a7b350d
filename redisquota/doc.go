// Package redisquota shares BigCommerce stores' API quotas between
// processes through Redis. Every process that gives its Clients the same
// Limiter configuration, against the same Redis, draws on one count of
// each store's requests per window and one cap on its requests in flight,
// so that a fleet of workers stays within the quota together.
//
// Turn it on with three lines:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379", ContextTimeoutEnabled: true})
//	limiter := redisquota.MustNew(rdb)
//	client, err := bigcommerce.NewClient(auth, bigcommerce.WithRateLimiter(limiter))
//
// The rules it keeps are the F rules of docs/pacing.md in the bigcommerce
// repository, with the P rules they build on: one count per store, kept by
// Lua scripts on Redis's clock (F1); one line of waiting requests across
// processes, served in the order they arrived (F2); leases that expire
// when a process dies (F3); what other apps took of the last window kept
// back for them (F4); and, when Redis is slow or gone, the Client pacing
// alone with the share of the store it learnt, then coming back (F5 to
// F8). A Redis that is down, slow or answering errors never fails a call.
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
//	bigcommerce:ratelimit:{R}:state     hash: quota, window, count, window end, reserve, pause
//	bigcommerce:ratelimit:{R}:inflight  sorted set: request leases by expiry
//	bigcommerce:ratelimit:{R}:probe     string: the lease probing the quota
//	bigcommerce:ratelimit:{R}:line      sorted set: waiting requests by order of arrival
//	bigcommerce:ratelimit:{R}:waiters   sorted set: waiting requests by when they lose their place
//
// All of them expire when unused: state and the line after ten minutes,
// the others after the lease TTL.
package redisquota
