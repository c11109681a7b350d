package bigcommercetest

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"time"
)

// Fault makes the server misbehave on matching requests, to test how a
// client copes with failures it cannot provoke on a real store.
//
// Faults are checked in the order they were injected, after the rate limiter
// and before authentication, so a fault fires even for a request with bad
// credentials; the first fault that matches is used and its Count goes down
// by one.
//
// Drop on a GET sent over a reused keep-alive connection is retried once by
// Go's http.Transport on its own, so the caller may never see the failure;
// use a client without keep-alives, or a POST, to observe it.
type Fault struct {
	// Method limits the fault to one HTTP method; "" matches any.
	Method string
	// Path limits the fault to one path relative to the API root, such as
	// "/customer_groups" or "/customer_groups/5", under either root; ""
	// matches any.
	Path string
	// Count is how many matching requests the fault applies to; 0 or less
	// means one.
	Count int
	// Status, when not 0, is the status answered instead of the real one,
	// with a v2 error array as the body.
	Status int
	// Header holds extra headers for the answer; they replace headers of the
	// same name, the rate-limit ones included.
	Header http.Header
	// Body, when set, is sent as it is instead of the generated body.
	Body string
	// Delay is waited before anything else; a request whose context ends
	// first gets no answer.
	Delay time.Duration
	// Drop closes the connection without answering.
	Drop bool
	// ApplyFirst runs the request for real (a create or update is stored)
	// before answering Status, or dropping the connection with Drop: the
	// client sees a failure for a write that happened, which is how retried
	// writes end up duplicated. With Status 207 the body is the API's
	// {"status": 207, "message": ...} object.
	ApplyFirst bool
}

// InjectFault queues f; see Fault for how faults are matched.
func (s *Server) InjectFault(f Fault) {
	f.Header = f.Header.Clone()
	if f.Count <= 0 {
		f.Count = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// Chaos injects random faults, for soak tests. The choices come from a
// generator seeded with Seed, so a client that sends the same requests in
// the same order meets the same faults.
type Chaos struct {
	// ErrorRate is the fraction of requests answered with one of Statuses
	// without being applied.
	ErrorRate float64
	// Statuses are the error statuses to choose from; empty means 500, 502
	// and 503.
	Statuses []int
	// DropRate is the fraction of requests whose connection is closed
	// without being applied.
	DropRate float64
	// ApplyThenFailRate is the fraction of writes (POST, PUT, DELETE) that
	// are applied and then answered 500.
	ApplyThenFailRate float64
	// Seed seeds the generator.
	Seed int64
}

type chaos struct {
	Chaos
	rng *rand.Rand
}

// SetChaos turns on random faults as c describes; the zero Chaos turns them
// off. Injected faults take precedence over chaos.
func (s *Server) SetChaos(c Chaos) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.ErrorRate <= 0 && c.DropRate <= 0 && c.ApplyThenFailRate <= 0 {
		s.chaos = nil
		return
	}
	if len(c.Statuses) == 0 {
		c.Statuses = []int{500, 502, 503}
	} else {
		c.Statuses = append([]int(nil), c.Statuses...)
	}
	s.chaos = &chaos{Chaos: c, rng: rand.New(rand.NewPCG(uint64(c.Seed), 0))}
}

// faultLocked picks the fault for a request, if any, and uses it up.
func (s *Server) faultLocked(method, path string) (Fault, bool) {
	for i, f := range s.faults {
		if (f.Method != "" && f.Method != method) || (f.Path != "" && f.Path != path) {
			continue
		}
		s.faults[i].Count--
		if s.faults[i].Count == 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		return f, true
	}
	if s.chaos != nil {
		return s.chaos.pick(method)
	}
	return Fault{}, false
}

// pick draws the same three numbers for every request whatever it decides,
// so each request's fate depends only on its position in the sequence.
func (c *chaos) pick(method string) (Fault, bool) {
	u, w, i := c.rng.Float64(), c.rng.Float64(), c.rng.IntN(len(c.Statuses))
	switch {
	case u < c.ErrorRate:
		return Fault{Status: c.Statuses[i]}, true
	case u < c.ErrorRate+c.DropRate:
		return Fault{Drop: true}, true
	case isWrite(method) && w < c.ApplyThenFailRate:
		return Fault{Status: 500, ApplyFirst: true}, true
	}
	return Fault{}, false
}

func isWrite(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodDelete
}

func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f Fault) {
	if f.Delay > 0 && !wait(r, f.Delay) {
		return
	}
	for k, v := range f.Header {
		w.Header()[k] = v
	}
	switch {
	case f.ApplyFirst && (f.Drop || f.Status != 0):
		s.serveAPI(httptest.NewRecorder(), r)
		if f.Drop {
			drop(w)
		} else {
			writeFault(w, f)
		}
	case f.Drop:
		drop(w)
	case f.Status != 0:
		writeFault(w, f)
	default:
		s.serveAPI(w, r)
	}
}

func writeFault(w http.ResponseWriter, f Fault) {
	if f.Body != "" {
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(f.Status)
		fmt.Fprint(w, f.Body)
		return
	}
	switch f.Status {
	case http.StatusMultiStatus:
		writeJSON(w, f.Status, apiError{
			Status:  f.Status,
			Message: "The customer group was saved, but the store-wide discount update did not finish; the request may be retried.",
		})
	case http.StatusNoContent, http.StatusNotModified:
		w.WriteHeader(f.Status)
	default:
		writeError(w, &apiError{Status: f.Status, Message: fmt.Sprintf("%s (fault injected by bigcommercetest)", http.StatusText(f.Status))})
	}
}

// drop closes the connection under the request without a byte of answer.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Connections that cannot be hijacked (HTTP/2) are aborted instead.
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}
