package benchmarks

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// pair is the SDK and the floor pointed at the same store of the child
// server.
type pair struct {
	sdk   *bigcommerce.Client
	floor *floorClient
}

func newPair(tb testing.TB, hash string) pair {
	tb.Helper()
	root := serverURL(tb) + "/stores/" + hash + "/v2"
	c, err := bigcommerce.NewClient(bigcommerce.NewOAuth(hash, benchToken), bigcommerce.WithBaseURL(root))
	if err != nil {
		tb.Fatal(err)
	}
	f := newFloor(root, benchToken)
	tb.Cleanup(f.close)
	return pair{sdk: c, floor: f}
}

// newCreate is the group both clients create: the recorded create's.
func newCreate() *bigcommerce.CreateCustomerGroupRequest {
	return &bigcommerce.CreateCustomerGroupRequest{
		Name:           "Wholesale",
		CategoryAccess: &bigcommerce.CategoryAccess{Type: bigcommerce.CategoryAccessSpecific, Categories: []int{18, 19}},
		DiscountRules:  []bigcommerce.DiscountRule{{Type: bigcommerce.DiscountRuleAll, Method: bigcommerce.DiscountPercent, Amount: "10.0000"}},
	}
}

func newPlainCreate() *plainCreate {
	return &plainCreate{
		Name:           "Wholesale",
		CategoryAccess: &plainAccess{Type: "specific", Categories: []int{18, 19}},
		DiscountRules:  []plainSentRule{{Type: "all", Method: "percent", Amount: "10.0000"}},
	}
}

// memoryTransport answers every request with a recorded response held in
// memory, so that decoding can be measured without a network.
type memoryTransport struct {
	rec  recorded
	rate *rateWindow
}

func (m memoryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
	hdr := make(http.Header, len(m.rec.header)+4)
	for k, v := range m.rec.header {
		hdr[k] = v
	}
	m.rate.headers(hdr)
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", m.rec.status, http.StatusText(m.rec.status)),
		StatusCode:    m.rec.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        hdr,
		Body:          io.NopCloser(bytes.NewReader(m.rec.body)),
		ContentLength: int64(len(m.rec.body)),
		Request:       req,
	}, nil
}

// newMemoryClient returns an SDK client whose every answer is rec.
func newMemoryClient(tb testing.TB, rec recorded) *bigcommerce.Client {
	tb.Helper()
	c, err := bigcommerce.NewClient(bigcommerce.NewOAuth("memory", benchToken),
		bigcommerce.WithHTTPClient(&http.Client{Transport: memoryTransport{rec, new(rateWindow)}}))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// newMemoryFloor returns a floor whose every answer is rec.
func newMemoryFloor(rec recorded) *floorClient {
	hc := &http.Client{Transport: memoryTransport{rec, new(rateWindow)}, Timeout: 2 * time.Minute}
	return &floorClient{hc: hc, base: bigcommerce.NewOAuth("memory", benchToken).BaseURL(), token: benchToken}
}

func mustFixtures(tb testing.TB) fixtures {
	tb.Helper()
	fx, err := loadFixtures()
	if err != nil {
		tb.Fatal(err)
	}
	return fx
}

var bg = context.Background()
