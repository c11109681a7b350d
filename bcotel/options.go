package bcotel

import (
	bigcommerce "github.com/bigcommerce-go/customergroups"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// Option configures Instrument and NewTracer.
type Option func(*config)

type config struct {
	tp             trace.TracerProvider
	mp             metric.MeterProvider
	storeOnMetrics bool
}

// WithTracerProvider makes spans with tp instead of the global
// TracerProvider (otel.GetTracerProvider).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) { c.tp = tp }
}

// WithMeterProvider records metrics with mp instead of the global
// MeterProvider (otel.GetMeterProvider).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.mp = mp }
}

// WithStoreAttribute puts the store (its hash, or the host of a store
// reached with Basic auth) on every metric as bigcommerce.store. It is off
// by default because each store becomes its own time series; a service that
// talks to a handful of stores can afford it, an app installed on thousands
// may not. Spans always carry the store.
func WithStoreAttribute() Option {
	return func(c *config) { c.storeOnMetrics = true }
}

// Instrument is a bigcommerce.Option that makes the Client report its
// calls as OpenTelemetry spans and metrics:
//
//	client, err := bigcommerce.NewClient(auth, bcotel.Instrument(
//		bcotel.WithTracerProvider(tp), bcotel.WithMeterProvider(mp)))
//
// It is bigcommerce.WithTracer(NewTracer(opts...)).
func Instrument(opts ...Option) bigcommerce.Option {
	return bigcommerce.WithTracer(NewTracer(opts...))
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	return c
}
