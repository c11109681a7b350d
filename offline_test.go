package bigcommerce

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// noAnswer is what a transport that answers from a recording returns for
// a request the recording lacks; offline false makes it a plain error.
type noAnswer struct{ offline bool }

func (e noAnswer) Error() string { return "the recording in testdata/x has no answer" }
func (e noAnswer) Offline() bool { return e.offline }

// TestOfflineErrorEndsTheCallAtOnce: a transport that answers without the
// network and has no answer is asked once, whatever the operation and
// however many retries are allowed, and the error names neither the host
// (never contacted) nor net/http's wrapping of the URL. The same error not
// marked offline is retried, so the mark is what stops the retries.
func TestOfflineErrorEndsTheCallAtOnce(t *testing.T) {
	t.Parallel()
	calls := func(t *testing.T, offline bool, call func(*Client) error) (int32, error) {
		t.Helper()
		var n atomic.Int32
		rt := roundTripFunc(func(*http.Request) (*http.Response, error) {
			n.Add(1)
			return nil, noAnswer{offline}
		})
		c, err := NewClient(NewOAuth("abc123", "t"), WithHTTPClient(&http.Client{Transport: rt}), WithRetryMax(4), WithRetryWait(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		err = call(c)
		return n.Load(), err
	}
	ctx := context.Background()
	for name, call := range map[string]func(*Client) error{
		"Get":   func(c *Client) error { _, _, err := c.CustomerGroups.Get(ctx, 5); return err },
		"Count": func(c *Client) error { _, _, err := c.CustomerGroups.Count(ctx, nil); return err },
		"Update": func(c *Client) error {
			_, _, err := c.CustomerGroups.Update(ctx, 5, &UpdateCustomerGroupRequest{Name: Ptr("Gold")})
			return err
		},
		"Delete": func(c *Client) error { _, err := c.CustomerGroups.Delete(ctx, 5); return err },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			n, err := calls(t, true, call)
			if n != 1 {
				t.Errorf("the transport was asked %d times, want once", n)
			}
			var off OfflineError
			var reqErr *RequestError
			if !errors.As(err, &off) || !errors.As(err, &reqErr) {
				t.Fatalf("err = %v (%T), want a *RequestError wrapping the OfflineError", err, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "testdata/x has no answer") || strings.Contains(msg, "api.bigcommerce.com") || strings.Contains(msg, "https://") {
				t.Errorf("message %q: want the transport's words and no host", msg)
			}
			if n, _ := calls(t, false, call); n != 5 {
				t.Errorf("not marked offline: asked %d times, want 5 (the first and four retries)", n)
			}
		})
	}
}
