package redisquota

import "context"

// Forget deletes what the Limiter keeps about the store at apiRoot, in
// Redis and in memory, for an app whose store uninstalled it: the keys
// would otherwise wait out their expiry, and the Limiter's memory would
// grow with every store an app ever served. The store's keys share one
// hash tag, so one DEL removes them all, on a Redis Cluster too. A store
// the Limiter never saw costs one round trip and no error.
func (l *Limiter) Forget(ctx context.Context, apiRoot string) error {
	s := l.store(apiRoot)
	l.stores.Delete(apiRoot)
	return l.rdb.Del(ctx, s.keys...).Err()
}
