package bigcommerce

import (
	"context"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"

	"github.com/jarcoal/httpmock"
)

var allSentinels = map[string]error{
	"ErrNotFound":       ErrNotFound,
	"ErrUnauthorized":   ErrUnauthorized,
	"ErrForbidden":      ErrForbidden,
	"ErrConflict":       ErrConflict,
	"ErrBadRequest":     ErrBadRequest,
	"ErrRateLimited":    ErrRateLimited,
	"ErrPartialSuccess": ErrPartialSuccess,
	"ErrServer":         ErrServer,
	"ErrInvalidRequest": ErrInvalidRequest,
}

// assertSentinels checks that err matches exactly the named sentinels.
func assertSentinels(t *testing.T, err error, want ...string) {
	t.Helper()
	wantSet := map[string]bool{}
	for _, name := range want {
		if _, ok := allSentinels[name]; !ok {
			t.Fatalf("unknown sentinel %s", name)
		}
		wantSet[name] = true
	}
	for name, sentinel := range allSentinels {
		if got := errors.Is(err, sentinel); got != wantSet[name] {
			t.Errorf("errors.Is(err, %s) = %v, want %v", name, got, wantSet[name])
		}
	}
}

// getWith answers GET /customer_groups/5 with r and returns the error.
func getWith(t *testing.T, r httpmock.Responder) (*recorder, error) {
	t.Helper()
	// The recorded answers report other apps' use of the store; the
	// throttle would pace the retries to this process's share of it.
	c, mt, rec := setup(t, WithoutThrottling())
	mt.RegisterResponder(http.MethodGet, groupsURL+"/5", r)
	g, _, err := c.CustomerGroups.Get(context.Background(), 5)
	if g != nil {
		t.Errorf("group = %+v, want nil", g)
	}
	if err == nil {
		t.Fatal("Get succeeded, want an error")
	}
	return rec, err
}

const nginx502 = "<html> <head><title>502 Bad Gateway</title></head> <body> " +
	"<center><h1>502 Bad Gateway</h1></center> <hr><center>nginx</center> </body> </html>"

func TestErrorFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture    string
		status     int
		errors     []ErrorDetail
		sentinels  []string
		retryAfter time.Duration
		requests   int
	}{
		{"error_400", 400, []ErrorDetail{{Status: 400, Message: "The field 'category_access' is invalid.",
			Details: map[string]any{"invalid_reason": "categories may only be sent when type is specific."}}}, []string{"ErrBadRequest"}, 0, 1},
		{"error_401", 401, []ErrorDetail{{Status: 401, Message: "No valid access token was supplied with this request."}},
			[]string{"ErrUnauthorized"}, 0, 1},
		{"error_403", 403, []ErrorDetail{{Status: 403, Message: "This token has read-only access to customers; changing customer groups needs the store_v2_customers scope."}},
			[]string{"ErrForbidden"}, 0, 1},
		{"error_404", 404, []ErrorDetail{{Status: 404, Message: "The requested resource was not found."}},
			[]string{"ErrNotFound"}, 0, 1},
		{"error_409", 409, []ErrorDetail{{Status: 409, Message: `Another customer group already uses the name "Wholesale".`,
			Details: map[string]any{"conflict_reason": "name"}}}, []string{"ErrConflict"}, 0, 1},
		{"error_413", 413, []ErrorDetail{{Status: 413, Message: "The specified limit exceeds the maximum allowed.",
			Details: map[string]any{"max_limit": float64(250)}}}, nil, 0, 1},
		// X-Retry-After says 2s, and the window resets within the
		// second: 1.5s, longer than the longest rate-limit wait (0), so
		// the 429 comes back at once.
		{"error_429", 429, nil, []string{"ErrRateLimited"}, 1500 * time.Millisecond, 1},
		// Load shedding asks for no wait, so the read is retried.
		{"error_429_no_headers", 429, nil, []string{"ErrRateLimited"}, 0, 4},
		{"error_500", 500, []ErrorDetail{{Status: 500, Message: "Something went wrong on our side while handling the request."}},
			[]string{"ErrServer"}, 0, 4},
		{"error_502_html", 502, []ErrorDetail{{Message: nginx502}}, []string{"ErrServer"}, 0, 4},
		{"error_503_plain", 503, []ErrorDetail{{Message: "Service Unavailable"}}, []string{"ErrServer"}, 0, 4},
		{"error_507", 507, []ErrorDetail{{Status: 507, Message: "The store has reached a limit of its plan and cannot save more records of this kind."}},
			[]string{"ErrServer"}, 0, 1},
		{"error_509_basic", 509, []ErrorDetail{{Status: 509, Message: "This API account has used up its requests for the current hour."}},
			[]string{"ErrRateLimited"}, 0, 1},
		{"reference_400_v3", 400, []ErrorDetail{
			{Status: 400, Message: "The customer_group_id path parameter must be a positive integer."},
			{Status: 400, Message: "Unexpected query parameter: colour."},
		}, []string{"ErrBadRequest"}, 0, 1},
		{"reference_207", 207, []ErrorDetail{{Status: 207, Message: "Customer group stored, but applying its store-wide discount did not finish. Repeat the request to try again."}},
			[]string{"ErrPartialSuccess"}, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			rec, err := getWith(t, fixture(t, tt.fixture))
			apiErr := asAPIError(t, err)
			if apiErr.StatusCode != tt.status {
				t.Errorf("StatusCode = %d, want %d", apiErr.StatusCode, tt.status)
			}
			if apiErr.Method != http.MethodGet || apiErr.URL != groupsURL+"/5" {
				t.Errorf("Method %q URL %q", apiErr.Method, apiErr.URL)
			}
			if !reflect.DeepEqual(apiErr.Errors, tt.errors) {
				t.Errorf("Errors = %#v\nwant %#v", apiErr.Errors, tt.errors)
			}
			wantMessage := ""
			if len(tt.errors) > 0 {
				wantMessage = tt.errors[0].Message
			}
			if got := apiErr.Message(); got != wantMessage {
				t.Errorf("Message() = %q, want %q", got, wantMessage)
			}
			if apiErr.RetryAfter != tt.retryAfter {
				t.Errorf("RetryAfter = %v, want %v", apiErr.RetryAfter, tt.retryAfter)
			}
			if n := rec.count(); n != tt.requests {
				t.Errorf("sent %d requests, want %d", n, tt.requests)
			}
			assertSentinels(t, err, tt.sentinels...)
		})
	}
}

func TestAPIErrorString(t *testing.T) {
	t.Parallel()
	const prefix = "bigcommerce: GET /stores/abc123/v2/customer_groups/5: "
	tests := []struct {
		fixture string
		want    string
	}{
		{"error_404", prefix + "404 Not Found: The requested resource was not found."},
		{"error_429", prefix + "429 Too Many Requests (retry after 1.5s)"},
		{"error_429_no_headers", prefix + "429 Too Many Requests"},
		{"error_503_plain", prefix + "503 Service Unavailable: Service Unavailable"},
		{"reference_207", prefix + "207 Multi-Status: Customer group stored, but applying its store-wide discount did not finish. Repeat the request to try again."},
		{"reference_400_v3", prefix + "400 Bad Request: The customer_group_id path parameter must be a positive integer."},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			_, err := getWith(t, fixture(t, tt.fixture))
			if got := err.Error(); got != tt.want {
				t.Errorf("Error() =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestAPIErrorStringForUnnamedStatus(t *testing.T) {
	t.Parallel()
	_, err := getWith(t, fixture(t, "error_509_basic"))
	got := err.Error()
	const prefix = "bigcommerce: GET /stores/abc123/v2/customer_groups/5: 509"
	const suffix = ": This API account has used up its requests for the current hour."
	if !strings.HasPrefix(got, prefix) || !strings.HasSuffix(got, suffix) {
		t.Errorf("Error() = %q, want %q...%q", got, prefix, suffix)
	}
	if strings.Contains(got, " :") || strings.Contains(got, "  ") {
		t.Errorf("Error() = %q has a dangling space where the status text would be", got)
	}
}

func TestAPIErrorStringOmitsQuery(t *testing.T) {
	t.Parallel()
	c, mt, _ := setup(t)
	mt.RegisterResponder(http.MethodGet, groupsURL, fixture(t, "error_400"))
	_, _, err := c.CustomerGroups.List(context.Background(), &ListCustomerGroupsOptions{
		CustomerGroupFilter: CustomerGroupFilter{Name: "secret name"},
		ListOptions:         ListOptions{Page: 2},
	})
	want := "bigcommerce: GET /stores/abc123/v2/customer_groups: 400 Bad Request: The field 'category_access' is invalid."
	if err == nil || err.Error() != want {
		t.Errorf("Error() = %v, want %q", err, want)
	}
	if got := asAPIError(t, err).URL; got != groupsURL+"?name=secret+name&page=2" {
		t.Errorf("URL = %q", got)
	}
}

func TestErrorBodyShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want []ErrorDetail
	}{
		{"v2 array", `[{"status": 400, "message": "bad name"}]`, []ErrorDetail{{Status: 400, Message: "bad name"}}},
		{"v2 array with a string status", `[{"status": "400", "message": "bad name"}]`, []ErrorDetail{{Status: 400, Message: "bad name"}}},
		{"v2 array with title only", `[{"status": 400, "title": "bad name"}]`, []ErrorDetail{{Status: 400, Message: "bad name"}}},
		{"empty v2 array", `[]`, []ErrorDetail{}},
		{"v3 object with field errors",
			`{"status": 422, "title": "Input is invalid", "type": "https://developer.bigcommerce.com/api-docs", "detail": "see errors", "errors": {"name": "must not be blank"}}`,
			[]ErrorDetail{{Status: 422, Message: "Input is invalid: see errors", Details: map[string]any{"name": "must not be blank"}}}},
		{"v3 object with an errors array", `{"errors": [{"status": 400, "title": "first", "type": "t"}, {"status": 400, "title": "second"}]}`,
			[]ErrorDetail{{Status: 400, Message: "first"}, {Status: 400, Message: "second"}}},
		{"v3 object with a title and an errors array", `{"status": 422, "title": "Invalid", "errors": [{"status": 422, "message": "name"}]}`,
			[]ErrorDetail{{Status: 422, Message: "Invalid"}, {Status: 422, Message: "name"}}},
		{"v3 object with only field errors", `{"errors": {"name": "taken"}}`,
			[]ErrorDetail{{Message: "invalid request", Details: map[string]any{"name": "taken"}}}},
		{"detail only", `{"status": 400, "detail": "page must be positive"}`, []ErrorDetail{{Status: 400, Message: "page must be positive"}}},
		{"empty object is kept as text", `{}`, []ErrorDetail{{Message: "{}"}}},
		{"broken JSON is kept as text", "[{\"status\": 400,\n\t\"message\"", []ErrorDetail{{Message: `[{"status": 400, "message"`}}},
		{"plain text", "Bad\r\nRequest\x00", []ErrorDetail{{Message: "Bad Request"}}},
		{"empty body", "", nil},
		{"blank body", " \n\t", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := getWith(t, jsonResponder(http.StatusBadRequest, tt.body))
			apiErr := asAPIError(t, err)
			if !reflect.DeepEqual(apiErr.Errors, tt.want) {
				t.Errorf("Errors = %#v\nwant %#v", apiErr.Errors, tt.want)
			}
		})
	}
}

func TestEmptyErrorBodyStillReads(t *testing.T) {
	t.Parallel()
	_, err := getWith(t, jsonResponder(http.StatusNotFound, ""))
	apiErr := asAPIError(t, err)
	if apiErr.Message() != "" {
		t.Errorf("Message() = %q, want empty", apiErr.Message())
	}
	if want := "bigcommerce: GET /stores/abc123/v2/customer_groups/5: 404 Not Found"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	assertSentinels(t, err, "ErrNotFound")
}

func TestHugeTextErrorBodyIsTruncated(t *testing.T) {
	t.Parallel()
	// Three-byte runes, so that 2 KiB ends inside one.
	body := strings.Repeat("€", (1<<20)/3)
	_, err := getWith(t, func(req *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(http.StatusBadRequest, body)
		resp.Header.Set("Content-Type", "text/plain")
		return resp, nil
	})
	msg := asAPIError(t, err).Message()
	if len(msg) > 2<<10 || len(msg) < 2<<10-3 {
		t.Errorf("message is %d bytes, want 2046 to 2048", len(msg))
	}
	if !utf8.ValidString(msg) || !strings.HasPrefix(body, msg) {
		t.Errorf("message is not a valid UTF-8 prefix of the body: %q...", msg[:min(len(msg), 30)])
	}
	if n := len(err.Error()); n > 2<<10+100 {
		t.Errorf("Error() is %d bytes, want about 2 KiB", n)
	}
}

func TestHTMLErrorBodyIsReadableText(t *testing.T) {
	t.Parallel()
	_, err := getWith(t, fixture(t, "error_502_html"))
	msg := asAPIError(t, err).Message()
	if msg != nginx502 {
		t.Errorf("Message() = %q, want %q", msg, nginx502)
	}
	if len(msg) > 2<<10 || strings.ContainsAny(msg, "\n\r\t") {
		t.Errorf("message %q is not one line of at most 2 KiB", msg)
	}
}

func TestValidationErrorMatchesOnlyInvalidRequest(t *testing.T) {
	t.Parallel()
	c, _, rec := setup(t)
	_, _, err := c.CustomerGroups.Create(context.Background(), &CreateCustomerGroupRequest{Name: " "})
	assertSentinels(t, err, "ErrInvalidRequest")
	var vErr *ValidationError
	if !errors.As(err, &vErr) {
		t.Fatalf("error %v (%T) is not a *ValidationError", err, err)
	}
	want := &ValidationError{Field: "name", Rule: "is required and must not be blank"}
	if !reflect.DeepEqual(vErr, want) {
		t.Errorf("ValidationError = %#v, want %#v", vErr, want)
	}
	if got := err.Error(); got != "bigcommerce: invalid request: name: is required and must not be blank" {
		t.Errorf("Error() = %q", got)
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		t.Error("a validation error unwraps to an *APIError")
	}
	if n := rec.count(); n != 0 {
		t.Errorf("sent %d requests, want 0", n)
	}
}

func TestDecodeErrorString(t *testing.T) {
	t.Parallel()
	_, err := getWith(t, jsonResponder(http.StatusOK, ""))
	want := "bigcommerce: GET /stores/abc123/v2/customer_groups/5: 200: decoding response: the body is empty"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	assertSentinels(t, err)
}

func TestUnprocessableMatchesErrBadRequest(t *testing.T) {
	t.Parallel()
	_, err := getWith(t, httpmock.NewStringResponder(422, `[{"status":422,"message":"The category 99 does not exist."}]`))
	assertSentinels(t, err, "ErrBadRequest")
}

// TestEveryErrorNamesTheCallTheSameWay: whatever went wrong, the message
// starts with "bigcommerce: ", the method and the full path of the API
// root, once, and Method and URL hold the same.
func TestEveryErrorNamesTheCallTheSameWay(t *testing.T) {
	t.Parallel()
	const want = "bigcommerce: GET /stores/" + testStoreHash + "/v2/customer_groups/5: "
	cutShort := func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(500, "")
		resp.Body = io.NopCloser(io.MultiReader(strings.NewReader(`[{"status":`), iotest.ErrReader(io.ErrUnexpectedEOF)))
		return resp, nil
	}
	tests := []struct {
		name      string
		responder httpmock.Responder
		opts      []Option
	}{
		{"APIError", httpmock.NewStringResponder(404, `[{"status":404,"message":"gone"}]`), nil},
		{"APIError with an unreadable body", cutShort, []Option{WithRetryMax(0)}},
		{"DecodeError", httpmock.NewStringResponder(200, `<html>`), nil},
		{"RequestError", httpmock.NewErrorResponder(errors.New("connection refused")), []Option{WithRetryMax(0)}},
		{"ThrottleError", httpmock.NewStringResponder(200, `{"id":5}`).HeaderSet(http.Header{
			headerQuota: {"10"}, headerLeft: {"0"}, headerResetMs: {"20000"}, headerWindowMs: {"30000"},
		}), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := setup(t, tt.opts...)
			mt.RegisterResponder(http.MethodGet, groupsURL+"/5", tt.responder)
			_, _, err := c.CustomerGroups.Get(context.Background(), 5)
			if tt.name == "ThrottleError" {
				// The first answer spends the quota; the second call is
				// refused before it is sent.
				if err != nil {
					t.Fatal(err)
				}
				_, _, err = c.CustomerGroups.Get(context.Background(), 5)
			}
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, want) || strings.Count(msg, "bigcommerce:") != 1 {
				t.Errorf("error %q: want it to start %q and say bigcommerce: once", msg, want)
			}
			var method, rawURL string
			var apiErr *APIError
			var decErr *DecodeError
			var reqErr *RequestError
			var thrErr *ThrottleError
			switch {
			case errors.As(err, &apiErr):
				method, rawURL = apiErr.Method, apiErr.URL
			case errors.As(err, &decErr):
				method, rawURL = decErr.Method, decErr.URL
			case errors.As(err, &reqErr):
				method, rawURL = reqErr.Method, reqErr.URL
			case errors.As(err, &thrErr):
				method, rawURL = thrErr.Method, thrErr.URL
			}
			if method != http.MethodGet || rawURL != groupsURL+"/5" {
				t.Errorf("%T: Method %q URL %q, want GET %s", err, method, rawURL, groupsURL+"/5")
			}
		})
	}
}

func TestThrottleErrorIsARateLimitThatWasNotSent(t *testing.T) {
	t.Parallel()
	err := error(&ThrottleError{RetryAfter: 3 * time.Second, Reason: "spent"})
	if !errors.Is(err, ErrRateLimited) {
		t.Error("a ThrottleError must match ErrRateLimited")
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		t.Error("a ThrottleError must not pass for a server answer")
	}
	if d, ok := RetryAfter(err); !ok || d != 3*time.Second {
		t.Errorf("RetryAfter = %s, %v", d, ok)
	}
	if d, ok := RetryAfter(&APIError{StatusCode: 429, RetryAfter: time.Second}); !ok || d != time.Second {
		t.Errorf("RetryAfter of a 429 = %s, %v", d, ok)
	}
	if _, ok := RetryAfter(&APIError{StatusCode: 404}); ok {
		t.Error("RetryAfter of a 404 reported a wait")
	}
}
