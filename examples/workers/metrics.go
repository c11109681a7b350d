package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/bigcommerce-go/customergroups/bcotel"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// metricsServer is one worker's /metrics: the Client's OpenTelemetry
// metrics through OpenTelemetry's Prometheus exporter, each worker on an
// address of its own, as each process of a deployment would be scraped.
type metricsServer struct {
	url      string
	provider *sdkmetric.MeterProvider
	srv      *http.Server
}

// serveMetrics listens on addr and serves /metrics there. The store is
// put on the metrics (bcotel.WithStoreAttribute): the example talks to one
// store, and the store is what a dashboard of quotas groups by.
func serveMetrics(addr string) (*metricsServer, bcotel.Option, error) {
	reg := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	m := &metricsServer{
		url:      "http://" + ln.Addr().String() + "/metrics",
		provider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter)),
		srv:      &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second},
	}
	go func() { _ = m.srv.Serve(ln) }()
	return m, bcotel.WithMeterProvider(m.provider), nil
}

func (m *metricsServer) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return errors.Join(m.srv.Shutdown(ctx), m.provider.Shutdown(ctx))
}

// workerMetricsAddr is the address worker i (from 0) serves on: the same
// host, the next port after the previous worker's, or any free port when
// the flag's port is 0.
func workerMetricsAddr(addr string, i int) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("-metrics-addr %q: %v", addr, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65535 {
		return "", fmt.Errorf("-metrics-addr %q: the port is not a number from 0 to 65535", addr)
	}
	if p == 0 {
		return addr, nil
	}
	return net.JoinHostPort(host, strconv.Itoa(p+i)), nil
}
