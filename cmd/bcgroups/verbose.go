package main

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// requestLog is --verbose: one line on standard error for each HTTP
// attempt, naming its host as well as its path, so that a log shows where
// every request went. URLs come sanitized from the SDK, and headers, so
// credentials, never reach a Tracer.
type requestLog struct{ log *slog.Logger }

func newRequestLog(w io.Writer) *requestLog {
	return &requestLog{log: slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))}
}

// attemptKey carries an attempt's request from its start to its end.
type attemptKey struct{}

type attempt struct {
	method, host, path string
	start              time.Time
}

func (l *requestLog) TraceAttemptStart(ctx context.Context, d bigcommerce.TraceAttemptStartData) context.Context {
	at := attempt{method: d.Method, host: d.URL, start: time.Now()}
	if u, err := url.Parse(d.URL); err == nil {
		at.host, at.path = u.Host, u.Path
	}
	return context.WithValue(ctx, attemptKey{}, at)
}

func (l *requestLog) TraceAttemptEnd(ctx context.Context, d bigcommerce.TraceAttemptEndData) {
	at, _ := ctx.Value(attemptKey{}).(attempt)
	attrs := []slog.Attr{
		slog.String("method", at.method), slog.String("host", at.host), slog.String("path", at.path),
		slog.Int("attempt", d.Attempt), slog.Duration("elapsed", time.Since(at.start)),
	}
	msg := "bcgroups: request"
	if d.Err != nil {
		msg = "bcgroups: request failed"
		attrs = append(attrs, slog.String("error", d.Err.Error()))
	} else {
		attrs = append(attrs, slog.Int("status", d.StatusCode))
	}
	l.log.LogAttrs(ctx, slog.LevelDebug, msg, attrs...)
}

// The other hooks have nothing that --verbose shows.

func (l *requestLog) TraceCallStart(ctx context.Context, _ bigcommerce.TraceCallStartData) context.Context {
	return ctx
}
func (l *requestLog) TraceCallEnd(context.Context, bigcommerce.TraceCallEndData) {}
func (l *requestLog) TraceWait(context.Context, bigcommerce.TraceWaitData)       {}
func (l *requestLog) TracePacing(context.Context, bigcommerce.TracePacingData)   {}
