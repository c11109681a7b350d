package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

func TestEveryRequestCarriesTheStandardHeaders(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t)
	mt.RegisterResponder("GET", testBaseURL+"/customer_groups/1", jsonResponder(200, `{"id":1}`))
	mt.RegisterResponder("POST", testBaseURL+"/customer_groups", jsonResponder(201, `{"id":2}`))
	ctx := context.Background()
	if _, _, err := c.CustomerGroups.Get(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.CustomerGroups.Create(ctx, &CreateCustomerGroupRequest{Name: "x"}); err != nil {
		t.Fatal(err)
	}
	reqs := rec.all()
	for _, r := range reqs {
		if got := r.Header.Get("Accept"); got != "application/json" {
			t.Errorf("%s Accept = %q", r.Method, got)
		}
		if got := r.Header.Get("User-Agent"); got != "bigcommerce-customergroups-go/"+Version {
			t.Errorf("%s User-Agent = %q", r.Method, got)
		}
	}
	if got := reqs[0].Header.Get("Content-Type"); got != "" {
		t.Errorf("GET has Content-Type %q but no body", got)
	}
	if got := reqs[1].Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("POST Content-Type = %q", got)
	}
}

func TestWithUserAgentNamesTheAppFirst(t *testing.T) {
	t.Parallel()
	c, mt, rec := setup(t, WithUserAgent("erp-sync/2.1"))
	mt.RegisterResponder("GET", testBaseURL+"/customer_groups/1", jsonResponder(200, `{"id":1}`))
	if _, _, err := c.CustomerGroups.Get(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if got, want := rec.last(t).Header.Get("User-Agent"), "erp-sync/2.1 bigcommerce-customergroups-go/"+Version; got != want {
		t.Errorf("User-Agent = %q, want %q", got, want)
	}
}

func TestResponseCarriesRate(t *testing.T) {
	t.Parallel()
	c, mt, _ := setup(t)
	mt.RegisterResponder("GET", testBaseURL+"/customer_groups/count", fixture(t, "reference_count"))
	_, resp, err := c.CustomerGroups.Count(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Rate{Quota: 150, Remaining: resp.Rate.Remaining, ResetIn: resp.Rate.ResetIn, Window: 30 * time.Second}
	if resp.Rate != want || resp.Rate.Remaining == 0 || resp.Rate.ResetIn == 0 {
		t.Errorf("Rate = %+v", resp.Rate)
	}
	if got := c.Rate(); got.Quota != 150 || got.Remaining != resp.Rate.Remaining || got.ResetIn <= 0 || got.ResetIn > resp.Rate.ResetIn {
		t.Errorf("Client.Rate = %+v after %+v", got, resp.Rate)
	}
}

func TestParseRate(t *testing.T) {
	t.Parallel()
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	tests := []struct {
		name   string
		header http.Header
		want   Rate
		ok     bool
	}{
		{"all four headers", h(headerQuota, "150", headerLeft, "12", headerResetMs, "2500", headerWindowMs, "30000"), Rate{150, 12, 2500 * time.Millisecond, 30 * time.Second}, true},
		{"no headers", h(), Rate{}, false},
		{"negative left is ignored", h(headerLeft, "-1", headerQuota, "150"), Rate{}, false},
		{"non-numeric left is ignored", h(headerLeft, "lots"), Rate{}, false},
		{"non-numeric quota is left zero", h(headerLeft, "3", headerQuota, "x"), Rate{Remaining: 3}, true},
		{"negative reset is left zero", h(headerLeft, "3", headerResetMs, "-500"), Rate{Remaining: 3}, true},
		{"huge numbers saturate", h(headerLeft, "99999999999999999999999", headerQuota, "1e300"), Rate{Quota: 1<<31 - 1, Remaining: 1<<31 - 1}, true},
		{"decimals round up", h(headerLeft, "2.5"), Rate{Remaining: 3}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseRate(tt.header)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseRate = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestRedirectToAnotherHostIsRefused(t *testing.T) {
	t.Parallel()
	var leaked atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") != "" || r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
		fmt.Fprint(w, `{"id":1}`)
	}))
	t.Cleanup(evil.Close)
	store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, evil.URL+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(store.Close)
	c, err := NewClient(NewOAuth("abc123", testToken), WithBaseURL(store.URL+"/stores/abc123/v2"), WithRetryWait(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.CustomerGroups.Get(context.Background(), 1)
	if err == nil || !strings.Contains(err.Error(), "credentials would follow") {
		t.Fatalf("err = %v, want the redirect refused", err)
	}
	if leaked.Load() != 0 {
		t.Fatal("the credentials reached the other host")
	}
}

func TestRedirectOnTheSameHostIsFollowed(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/old/customer_groups/1", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/stores/abc123/v2/customer_groups/1", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/stores/abc123/v2/customer_groups/1", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"id":1,"name":"%t"}`, r.Header.Get("X-Auth-Token") != "")
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := NewClient(NewOAuth("abc123", testToken), WithBaseURL(srv.URL+"/old"))
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := c.CustomerGroups.Get(context.Background(), 1)
	if err != nil || g.Name != "true" {
		t.Fatalf("g = %+v, err = %v", g, err)
	}
}

func TestOversizedBodiesAreRefused(t *testing.T) {
	t.Parallel()
	c, mt, _ := setup(t, WithMaxResponseBytes(1024))
	big := "[" + strings.Repeat(`{"id":1,"name":"x"},`, 200) + `{"id":2}]`
	mt.RegisterResponder("GET", testBaseURL+"/customer_groups", httpmock.NewStringResponder(200, big))
	_, _, err := c.CustomerGroups.List(context.Background(), nil)
	var tooLarge *BodyTooLargeError
	if !errors.As(err, &tooLarge) || tooLarge.Limit != 1024 {
		t.Fatalf("err = %v, want BodyTooLargeError", err)
	}
	t.Run("also without a Content-Length", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := setup(t, WithMaxResponseBytes(1024))
		mt.RegisterResponder("GET", testBaseURL+"/customer_groups", func(*http.Request) (*http.Response, error) {
			resp := httpmock.NewStringResponse(200, big)
			resp.ContentLength = -1
			return resp, nil
		})
		_, _, err := c.CustomerGroups.List(context.Background(), nil)
		if !errors.As(err, &tooLarge) {
			t.Fatalf("err = %v, want BodyTooLargeError", err)
		}
	})
}

func TestWithHTTPClientUsesTheCallersTransport(t *testing.T) {
	t.Parallel()
	var used atomic.Int32
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", testBaseURL+"/customer_groups/1", jsonResponder(200, `{"id":1}`))
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used.Add(1)
		return mt.RoundTrip(r)
	})}
	c, err := NewClient(NewOAuth("abc123", "t"), WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.CustomerGroups.Get(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if used.Load() != 1 {
		t.Errorf("caller's transport used %d times", used.Load())
	}
	if hc.CheckRedirect != nil {
		t.Error("the caller's http.Client was modified")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNilContextIsRefused(t *testing.T) {
	t.Parallel()
	c, _, rec := setup(t)
	var ctx context.Context // a caller's mistake the SDK must catch
	_, _, err := c.CustomerGroups.Get(ctx, 1)
	if !errors.Is(err, ErrInvalidRequest) || rec.count() != 0 {
		t.Fatalf("err = %v, requests = %d", err, rec.count())
	}
}

// TestNoLoggingByDefault: the Client logs only through WithLogger.
func TestNoLoggingByDefault(t *testing.T) {
	t.Parallel()
	c, err := NewClient(NewOAuth("abc123", "t"))
	if err != nil {
		t.Fatal(err)
	}
	if c.cfg.logger != nil {
		t.Error("a logger is set by default")
	}
}
