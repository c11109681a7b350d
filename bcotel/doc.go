// Package bcotel reports what a BigCommerce customer-groups Client does as
// OpenTelemetry traces and metrics. It is built on the core's
// bigcommerce.Tracer hook and lives in a module of its own, so that the
// core depends on no tracing library:
//
//	client, err := bigcommerce.NewClient(auth, bcotel.Instrument(
//		bcotel.WithTracerProvider(tp), bcotel.WithMeterProvider(mp)))
//
// Without WithTracerProvider or WithMeterProvider the global providers
// (otel.GetTracerProvider, otel.GetMeterProvider) are used.
//
// # Spans
//
// Each call is a span named after its operation ("CustomerGroups.List"),
// of kind internal, a child of the span in the caller's context. Each HTTP
// attempt of the call is a child span of kind client named after its method
// ("GET"), with OpenTelemetry's HTTP client attributes: http.request.method,
// url.full (without credentials, as the core sanitizes it), server.address,
// server.port, http.response.status_code, error.type, and from the second
// attempt on http.request.resend_count. Every wait of an attempt, before a
// retry or for the rate limiter, is a child span named "bigcommerce.wait"
// that begins and ends when the wait did, with its cause in
// bigcommerce.wait.cause. A switch to
// pacing alone, or back to the shared rate limiter, is an event named
// "bigcommerce.ratelimit.fallback" on the attempt's span. Every span carries
// the store in bigcommerce.store.
//
// # Metrics
//
//	bigcommerce.client.call.duration      histogram  s          per operation and outcome; error.type on failure
//	bigcommerce.client.call.attempts      histogram  {attempt}  per operation and outcome
//	http.client.request.duration          histogram  s          per attempt, HTTP semantic conventions
//	bigcommerce.ratelimit.wait.duration   histogram  s          waits for the rate limit, per cause
//	bigcommerce.ratelimit.throttled       counter    {response} 429 answers, per cause: quota or concurrency
//	bigcommerce.ratelimit.remaining       gauge      {request}  requests left in the window, as last reported
//	bigcommerce.ratelimit.fallback        gauge                 1 while pacing alone, else 0
//	bigcommerce.ratelimit.alone.duration  counter    s          time paced alone, the spell under way included
//
// http.client.request.duration leaves out the time an attempt waited,
// before a retry or for its permit; the wait for the rate limit is in
// bigcommerce.ratelimit.wait.duration. The
// store is on metrics only with WithStoreAttribute.
//
// # No trace context is sent to BigCommerce
//
// bcotel does not inject traceparent, tracestate or baggage headers into
// requests. The store is a third party that joins no trace of ours: the
// headers would tell it our trace and span ids, sampling decisions and
// whatever a baggage member carries, and would return nothing, since its
// spans are never exported to us. The attempt spans already record each
// request from our side. A service that wants the headers anyway can add
// them in its own http.RoundTripper, given with bigcommerce.WithHTTPClient.
//
// # Credentials
//
// No span, event or metric carries a token, API key or Authorization
// value: the core passes the Tracer sanitized URLs and no headers, and a
// shared rate limiter's error is reduced to its type, since it may name
// its backend.
package bcotel
