package bigcommerce

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// The simulation runs processes that pace alone against a store that
// counts as bigcommercetest's does, on a virtual clock, so that whole runs
// of many windows take milliseconds and give the same result every time.
// Each process is the real throttle; what the simulation stands in for is
// the network, the store, the goroutines making calls, and the scheduler.

// simStore counts a store's requests in fixed windows, each opening with
// the first request after the last one ended, and its requests in flight.
type simStore struct {
	quota   int
	window  time.Duration
	latency time.Duration
	cap     int

	start          time.Time
	used, inFlight int
	// What the store saw.
	requests, refused, busy, mostInFlight int
}

// answer is the store's answer to a request it counts at t: 429 when the
// window's quota is spent.
func (s *simStore) answer(t time.Time) (int, http.Header) {
	if s.start.IsZero() || t.Sub(s.start) >= s.window {
		s.start, s.used = t, 0
	}
	reset := s.start.Add(s.window).Sub(t)
	status := http.StatusOK
	if s.used < s.quota {
		s.used++
	} else {
		status = http.StatusTooManyRequests
		s.refused++
	}
	h := s.headers(s.quota-s.used, reset)
	if status != http.StatusOK {
		h.Set(headerRetryAfter, strconv.FormatInt(max(1, int64((reset+time.Second-1)/time.Second)), 10))
	}
	return status, h
}

func (s simStore) headers(left int, reset time.Duration) http.Header {
	h := http.Header{}
	h.Set(headerQuota, strconv.Itoa(s.quota))
	h.Set(headerLeft, strconv.Itoa(left))
	h.Set(headerWindowMs, strconv.FormatInt(s.window.Milliseconds(), 10))
	h.Set(headerResetMs, strconv.FormatInt(int64((reset+time.Millisecond-1)/time.Millisecond), 10))
	return h
}

// sim is the virtual clock and what is due on it.
type sim struct {
	now    time.Time
	events simEvents
	seq    int
	rng    *rand.Rand
	// jitter is the mean of the delay, drawn for each wake-up, with which
	// a busy machine runs a goroutine later than it asked.
	jitter time.Duration
}

type simEvent struct {
	at  time.Time
	seq int
	do  func()
}

type simEvents []simEvent

func (e simEvents) Len() int { return len(e) }
func (e simEvents) Less(i, j int) bool {
	return e[i].at.Before(e[j].at) || e[i].at.Equal(e[j].at) && e[i].seq < e[j].seq
}
func (e simEvents) Swap(i, j int) { e[i], e[j] = e[j], e[i] }
func (e *simEvents) Push(x any)   { *e = append(*e, x.(simEvent)) }
func (e *simEvents) Pop() any {
	old := *e
	x := old[len(old)-1]
	*e = old[:len(old)-1]
	return x
}

func (s *sim) at(t time.Time, do func()) {
	s.seq++
	heap.Push(&s.events, simEvent{at: t, seq: s.seq, do: do})
}

// wake runs do at t, as late as a busy scheduler would.
func (s *sim) wake(t time.Time, do func()) {
	if s.jitter > 0 {
		t = t.Add(time.Duration(s.rng.ExpFloat64() * float64(s.jitter)))
	}
	s.at(t, do)
}

// simFleet is one run: processes, each of goroutines making calls.
type simFleet struct {
	procs, goroutines, calls int
	// loud adds processes of another app that does not pace: they hold to
	// the cap on requests in flight and retry 429s, nothing more.
	loud int
	// starts, when set, is when each process begins, from the run's start.
	starts []time.Duration
	// until, when set, ends the run: no call begins after it.
	until  time.Duration
	jitter time.Duration
	seed   uint64
}

// simProc is one process: its throttle and what its goroutines did.
type simProc struct {
	l       *throttle
	left    int // calls not yet begun
	waiters map[<-chan struct{}][]func()
	// refused counts the 429s the process got, failed its calls that
	// failed.
	refused, failed int
	done            time.Time
	// sent counts the requests the store counted, by window of the run.
	sent map[int]int
}

// simResult is what the store and the processes saw.
type simResult struct {
	store   simStore
	procs   []*simProc
	start   time.Time
	windows float64 // from the start to the last call's end
}

func (r simResult) String() string {
	failed := 0
	for _, p := range r.procs {
		failed += p.failed
	}
	return fmt.Sprintf("%d requests, %d answered 429 for the quota (%.1f%%), %d for concurrency, most in flight %d, %d calls failed, %.2f windows",
		r.store.requests, r.store.refused, 100*float64(r.store.refused)/float64(r.store.requests), r.store.busy, r.store.mostInFlight, failed, r.windows)
}

// refusedShare is the part of the requests answered 429.
func (r simResult) refusedShare() float64 {
	return float64(r.store.refused+r.store.busy) / float64(r.store.requests)
}

// run simulates f against the proof's store: 60 requests per 1 s window,
// 5 ms latency, at most 40 in flight.
func (f simFleet) run() simResult {
	s := &sim{now: time.Unix(1_000_000, 0), rng: rand.New(rand.NewPCG(f.seed, 7)), jitter: f.jitter}
	st := &simStore{quota: 60, window: time.Second, latency: 5 * time.Millisecond, cap: 40}
	cfg := defaultSettings()
	res := simResult{start: s.now}
	loud := cfg
	loud.noThrottle = true
	for i := range f.procs + f.loud {
		c := &cfg
		if i >= f.procs {
			c = &loud
		}
		p := &simProc{l: newThrottle(c), left: f.calls, waiters: map[<-chan struct{}][]func(){}, sent: map[int]int{}}
		p.l.now = func() time.Time { return s.now }
		res.procs = append(res.procs, p)
		var begin time.Duration
		if i < len(f.starts) {
			begin = f.starts[i]
		}
		for range f.goroutines {
			s.wake(s.now.Add(begin), func() { f.call(s, st, p, res.start) })
		}
	}
	for s.events.Len() > 0 {
		e := heap.Pop(&s.events).(simEvent)
		s.now = e.at
		e.do()
		for _, p := range res.procs {
			for ch, ws := range p.waiters {
				select {
				case <-ch:
					delete(p.waiters, ch)
					for _, w := range ws {
						s.wake(s.now, w)
					}
				default:
				}
			}
		}
	}
	res.store = *st
	for _, p := range res.procs {
		res.windows = max(res.windows, float64(p.done.Sub(res.start))/float64(time.Second))
	}
	return res
}

// call begins one of p's calls, if any is left, on one of its goroutines.
func (f simFleet) call(s *sim, st *simStore, p *simProc, start time.Time) {
	if p.left == 0 || f.until > 0 && s.now.Sub(start) >= f.until {
		p.done = maxTime(p.done, s.now)
		return
	}
	p.left--
	f.attempt(s, st, p, start, 0)
}

// attempt sends one request of a call once the throttle lets it go, and
// retries a 429 as the Client's default retry policy does.
func (f simFleet) attempt(s *sim, st *simStore, p *simProc, start time.Time, retries int) {
	var r aloneRequest
	var try func()
	try = func() {
		ok, until, ch, _ := p.l.next(&r)
		switch {
		case ch != nil:
			p.waiters[ch] = append(p.waiters[ch], try)
			return
		case !ok:
			s.wake(until, try)
			return
		}
		permit := &alonePermit{l: p.l, epoch: r.epoch, prober: r.prober}
		st.requests++
		st.inFlight++
		st.mostInFlight = max(st.mostInFlight, st.inFlight)
		if st.inFlight > st.cap {
			st.busy++
			left := st.quota - st.used
			if st.start.IsZero() || s.now.Sub(st.start) >= st.window {
				left = st.quota
			}
			h := st.headers(left, st.window)
			st.inFlight--
			f.answered(s, st, p, start, permit, http.StatusTooManyRequests, h, retries)
			return
		}
		s.at(s.now.Add(st.latency), func() {
			st.inFlight--
			status, h := st.answer(s.now)
			if status == http.StatusOK {
				p.sent[int(s.now.Sub(start)/time.Second)]++
			}
			f.answered(s, st, p, start, permit, status, h, retries)
		})
	}
	try()
}

func (f simFleet) answered(s *sim, st *simStore, p *simProc, start time.Time, permit *alonePermit, status int, h http.Header, retries int) {
	permit.Report(status, h)
	permit.Release()
	if status == http.StatusOK {
		s.wake(s.now, func() { f.call(s, st, p, start) })
		return
	}
	p.refused++
	if retries == defaultRetryMax {
		p.failed++
		s.wake(s.now, func() { f.call(s, st, p, start) })
		return
	}
	wait := backoff(defaultRetryWaitMin, defaultRetryWaitMax, retries, &http.Response{StatusCode: status, Header: h})
	s.wake(s.now.Add(wait), func() { f.attempt(s, st, p, start, retries+1) })
}

// shares is each process's part of the requests the store counted in
// window w of the run.
func (r simResult) shares(w int) []float64 {
	total := 0
	for _, p := range r.procs {
		total += p.sent[w]
	}
	out := make([]float64, len(r.procs))
	for i, p := range r.procs {
		out[i] = float64(p.sent[w]) / float64(max(total, 1))
	}
	return out
}
