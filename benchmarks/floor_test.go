package benchmarks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// The floor is the careful hand-written call the SDK is measured against:
// one shared http.Client over a pooled transport with a timeout like the
// SDK's default, the same headers as the SDK, the status checked, the body
// read whole with io.ReadAll (which also hands the connection back to the
// pool) and decoded by json.Unmarshal into plain structs with the same
// fields. (Reading through a json.Decoder instead measured 25% slower and
// 14% more bytes for a page, so the floor uses the cheaper of the two.) It
// does none of the SDK's other work: no retries, no throttle, no rate-limit
// headers, no body-size limit, no typed errors, no date parsing and no
// checks of the values.

// plainGroup has the fields of bigcommerce.CustomerGroup in plain types.
// Dates stay strings. The ids inside rules and the amounts are
// json.Number, the plain type that takes both forms the recorded page uses
// (`"category_id": "20"` next to numbers, `"amount": 7.5` next to
// strings); a plain int or string field fails on that page.
type plainGroup struct {
	ID               int         `json:"id"`
	Name             string      `json:"name"`
	IsDefault        bool        `json:"is_default"`
	CategoryAccess   plainAccess `json:"category_access"`
	DiscountRules    []plainRule `json:"discount_rules"`
	IsGroupForGuests bool        `json:"is_group_for_guests"`
	DateCreated      string      `json:"date_created"`
	DateModified     string      `json:"date_modified"`
}

type plainAccess struct {
	Type       string `json:"type"`
	Categories []int  `json:"categories,omitempty"`
}

type plainRule struct {
	Type        string      `json:"type"`
	Method      string      `json:"method,omitempty"`
	Amount      json.Number `json:"amount,omitempty"`
	ProductID   json.Number `json:"product_id,omitempty"`
	CategoryID  json.Number `json:"category_id,omitempty"`
	PriceListID json.Number `json:"price_list_id,omitempty"`
}

// plainCreate is the body the SDK sends for a create, field for field.
type plainCreate struct {
	Name             string          `json:"name"`
	IsDefault        bool            `json:"is_default,omitempty"`
	CategoryAccess   *plainAccess    `json:"category_access,omitempty"`
	DiscountRules    []plainSentRule `json:"discount_rules,omitempty"`
	IsGroupForGuests bool            `json:"is_group_for_guests,omitempty"`
}

// plainSentRule is a rule as the SDK sends it: the amount as a string.
type plainSentRule struct {
	Type        string `json:"type"`
	Method      string `json:"method,omitempty"`
	Amount      string `json:"amount,omitempty"`
	ProductID   int    `json:"product_id,omitempty"`
	CategoryID  int    `json:"category_id,omitempty"`
	PriceListID int    `json:"price_list_id,omitempty"`
}

// sdkUserAgent is the User-Agent the SDK sends; the floor sends it too, so
// both requests have the same size.
const sdkUserAgent = "bigcommerce-customergroups-go/" + bigcommerce.Version

var errStatus = errors.New("unexpected status")

type floorClient struct {
	hc    *http.Client
	base  string // API root, like the SDK's
	token string
}

func newFloor(base, token string) *floorClient {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return &floorClient{hc: &http.Client{Transport: t, Timeout: 2 * time.Minute}, base: base, token: token}
}

func (f *floorClient) close() { f.hc.CloseIdleConnections() }

func (f *floorClient) send(ctx context.Context, method, url string, body []byte, want int, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", sdkUserAgent)
	req.Header.Set("X-Auth-Token", f.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := f.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNoContent {
		return resp.StatusCode, nil
	}
	if resp.StatusCode != want {
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, fmt.Errorf("%s %s: %w %d", method, url, errStatus, resp.StatusCode)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	return resp.StatusCode, json.Unmarshal(b, out)
}

func (f *floorClient) get(ctx context.Context, id int) (*plainGroup, error) {
	var g plainGroup
	if _, err := f.send(ctx, http.MethodGet, f.base+"/customer_groups/"+strconv.Itoa(id), nil, http.StatusOK, &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// list asks for page (0 for none) of limit groups, as the SDK's query
// encoder writes it: keys sorted, zero values left out.
func (f *floorClient) list(ctx context.Context, page, limit int) ([]plainGroup, error) {
	u := f.base + "/customer_groups?limit=" + strconv.Itoa(limit)
	if page > 0 {
		u += "&page=" + strconv.Itoa(page)
	}
	var groups []plainGroup
	if _, err := f.send(ctx, http.MethodGet, u, nil, http.StatusOK, &groups); err != nil {
		return nil, err
	}
	return groups, nil
}

func (f *floorClient) create(ctx context.Context, c *plainCreate) (*plainGroup, error) {
	body, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	var g plainGroup
	if _, err := f.send(ctx, http.MethodPost, f.base+"/customer_groups", body, http.StatusCreated, &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// all walks every group 250 at a time, one page in memory, until a short
// or empty page, as the SDK's All does.
func (f *floorClient) all(ctx context.Context, yield func(*plainGroup) bool) error {
	for page := 1; ; page++ {
		groups, err := f.list(ctx, page, 250)
		if err != nil {
			return err
		}
		for i := range groups {
			if !yield(&groups[i]) {
				return nil
			}
		}
		if len(groups) < 250 {
			return nil
		}
	}
}
