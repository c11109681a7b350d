// Package faultproxy is a TCP proxy for tests that puts the faults of a
// real network between a client and its server: answers that come late,
// a path that accepts connections but carries nothing, and connections
// reset by the peer. A test switches the faults on and off while traffic
// flows, and reads counters that say how often each fault struck.
//
// It listens on a loopback port only. It exists, rather than Shopify's
// toxiproxy used as a library, because the tests need three faults and a
// few counters, not an HTTP API, a metrics server and the dozen modules
// those bring.
package faultproxy

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Proxy forwards every connection made to Addr to its target, as the
// faults in force allow.
type Proxy struct {
	target string
	ln     net.Listener

	mu      sync.Mutex
	stalled bool
	reset   bool
	latency time.Duration
	// changed is closed, and replaced, whenever the faults change, to wake
	// the data held by a stall.
	changed chan struct{}
	links   map[*link]struct{}
	closed  bool

	wg                        sync.WaitGroup
	accepted, resets, delayed atomic.Int64
}

// Start listens on a free loopback port, forwards to target (a host:port
// on the loopback network), and closes when the test ends.
func Start(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("faultproxy: %v", err)
	}
	p := &Proxy{target: target, ln: ln, changed: make(chan struct{}), links: map[*link]struct{}{}}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.close)
	return p
}

// Addr is the proxy's host:port, for the client to dial.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetLatency delays every chunk of data from the target to the client by
// d, so that each round trip takes about d longer. Zero removes it.
func (p *Proxy) SetLatency(d time.Duration) {
	p.mu.Lock()
	p.latency = d
	p.mu.Unlock()
}

// Stall keeps accepting connections but forwards nothing, either way, on
// any connection, until Heal: a server that is up and does not answer.
func (p *Proxy) Stall() {
	p.mu.Lock()
	p.stalled = true
	p.mu.Unlock()
}

// Reset resets every open connection, and every connection made or every
// byte sent until Heal, as a peer that sends RST does.
func (p *Proxy) Reset() {
	p.mu.Lock()
	p.reset = true
	links := make([]*link, 0, len(p.links))
	for l := range p.links {
		links = append(links, l)
	}
	p.mu.Unlock()
	for _, l := range links {
		p.abort(l)
	}
}

// Heal removes the stall and the resets; data held by a stall flows on.
// Latency stays as set.
func (p *Proxy) Heal() {
	p.mu.Lock()
	p.stalled, p.reset = false, false
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
}

// Accepted counts the connections the proxy has accepted.
func (p *Proxy) Accepted() int { return int(p.accepted.Load()) }

// Resets counts the connections the proxy has reset.
func (p *Proxy) Resets() int { return int(p.resets.Load()) }

// Delayed counts the chunks of data that latency held back.
func (p *Proxy) Delayed() int { return int(p.delayed.Load()) }

// link is one client connection and its connection to the target.
type link struct {
	client net.Conn
	done   chan struct{} // closed when the link ends

	mu     sync.Mutex
	server net.Conn // nil until the target answers the dial
	ended  bool
}

// attach records the connection to the target, unless the link ended
// while it was being dialed.
func (l *link) attach(server net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended {
		return false
	}
	l.server = server
	return true
}

// end closes both connections once. With resets set, it resets the
// client's and counts it there first, so that the count is in before the
// client can see the reset.
func (l *link) end(resets *atomic.Int64) {
	l.mu.Lock()
	if l.ended {
		l.mu.Unlock()
		return
	}
	l.ended = true
	server := l.server
	l.mu.Unlock()
	if resets != nil {
		resets.Add(1)
		// A zero linger makes Close send RST rather than FIN.
		if tc, ok := l.client.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
	}
	close(l.done)
	_ = l.client.Close()
	if server != nil {
		_ = server.Close()
	}
}

func (p *Proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.accepted.Add(1)
		l := &link{client: c, done: make(chan struct{})}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			_ = c.Close()
			return
		}
		p.links[l] = struct{}{}
		reset := p.reset
		p.mu.Unlock()
		if reset {
			p.abort(l)
			continue
		}
		p.wg.Add(1)
		go p.connect(l)
	}
}

// connect dials the target for a new client connection and forwards both
// ways; a target that is down closes the client's connection, as a dead
// server behind a live proxy does.
func (p *Proxy) connect(l *link) {
	defer p.wg.Done()
	s, err := net.DialTimeout("tcp", p.target, time.Second)
	if err != nil {
		p.finish(l)
		return
	}
	if !l.attach(s) {
		_ = s.Close()
		return
	}
	p.wg.Add(2)
	go p.pipe(l, s, l.client, false)
	go p.pipe(l, l.client, s, true)
}

// pipe copies src to dst, letting each chunk pass as the faults allow;
// toClient says the chunk is on its way to the client, which latency
// delays.
func (p *Proxy) pipe(l *link, dst, src net.Conn, toClient bool) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.pass(l, toClient) {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				p.finish(l)
				return
			}
		}
		if err != nil {
			p.finish(l)
			return
		}
	}
}

// pass holds a chunk while the path is stalled and for the latency, and
// reports whether it may go on.
func (p *Proxy) pass(l *link, toClient bool) bool {
	for {
		p.mu.Lock()
		stalled, reset, latency, changed := p.stalled, p.reset, p.latency, p.changed
		p.mu.Unlock()
		switch {
		case reset:
			p.abort(l)
			return false
		case stalled:
			select {
			case <-changed:
				continue
			case <-l.done:
				return false
			}
		}
		if toClient && latency > 0 {
			p.delayed.Add(1)
			t := time.NewTimer(latency)
			select {
			case <-t.C:
			case <-l.done:
				t.Stop()
				return false
			}
		}
		return true
	}
}

// abort resets the client's connection.
func (p *Proxy) abort(l *link) {
	l.end(&p.resets)
	p.forget(l)
}

// finish closes both connections of a link.
func (p *Proxy) finish(l *link) {
	l.end(nil)
	p.forget(l)
}

func (p *Proxy) forget(l *link) {
	p.mu.Lock()
	delete(p.links, l)
	p.mu.Unlock()
}

// close stops accepting, ends every connection and waits for the copies
// to stop.
func (p *Proxy) close() {
	p.mu.Lock()
	p.closed = true
	links := make([]*link, 0, len(p.links))
	for l := range p.links {
		links = append(links, l)
	}
	p.mu.Unlock()
	_ = p.ln.Close()
	for _, l := range links {
		p.finish(l)
	}
	p.wg.Wait()
}
