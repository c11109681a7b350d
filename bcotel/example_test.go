package bcotel_test

import (
	"context"
	"fmt"

	"github.com/bigcommerce-go/customergroups/bcotel"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// A Client instrumented with bcotel, against the fake store: one span for
// the call, one for its HTTP attempt, and the call's metrics.
func ExampleInstrument() {
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(1))
	defer srv.Close()

	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))

	client := srv.Client(bcotel.Instrument(bcotel.WithTracerProvider(tp), bcotel.WithMeterProvider(mp)))
	if _, _, err := client.CustomerGroups.Get(context.Background(), 1); err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range spans.Ended() {
		fmt.Println("span:", s.Name())
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if m.Name == bcotel.MetricCallDuration {
			fmt.Println("metric:", m.Name, m.Unit)
		}
	}
	// Output:
	// span: GET
	// span: CustomerGroups.Get
	// metric: bigcommerce.client.call.duration s
}
