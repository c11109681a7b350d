package faultproxy

import (
	"bufio"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// echo starts a server that sends back every line it reads.
func echo(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// dial connects to the proxy, closing the connection when the test ends.
func dial(t *testing.T, p *Proxy) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, bufio.NewReader(c)
}

// roundTrip sends a line and reads the answer, giving up after d.
func roundTrip(c net.Conn, r *bufio.Reader, d time.Duration) (string, error) {
	_ = c.SetDeadline(time.Now().Add(d))
	if _, err := io.WriteString(c, "ping\n"); err != nil {
		return "", err
	}
	return r.ReadString('\n')
}

func TestForwardsAndDelays(t *testing.T) {
	t.Parallel()
	p := Start(t, echo(t))
	c, r := dial(t, p)
	if got, err := roundTrip(c, r, 5*time.Second); err != nil || got != "ping\n" {
		t.Fatalf("round trip = %q, %v; want the echo", got, err)
	}
	p.SetLatency(time.Millisecond)
	for range 3 {
		if got, err := roundTrip(c, r, 5*time.Second); err != nil || got != "ping\n" {
			t.Fatalf("round trip with latency = %q, %v; want the echo", got, err)
		}
	}
	if p.Delayed() != 3 || p.Accepted() != 1 {
		t.Errorf("delayed %d chunks over %d connections, want 3 over 1", p.Delayed(), p.Accepted())
	}
}

func TestAStallHoldsDataUntilHealed(t *testing.T) {
	t.Parallel()
	p := Start(t, echo(t))
	c, r := dial(t, p)
	p.Stall()
	var ne net.Error
	if _, err := roundTrip(c, r, 100*time.Millisecond); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("round trip through a stall = %v, want a timeout", err)
	}
	// A new connection is accepted, and stalls too.
	c2, r2 := dial(t, p)
	if _, err := roundTrip(c2, r2, 100*time.Millisecond); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("round trip on a connection made during the stall = %v, want a timeout", err)
	}
	p.Heal()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if got, err := r.ReadString('\n'); err != nil || got != "ping\n" {
		t.Fatalf("after Heal = %q, %v; want the held echo", got, err)
	}
}

func TestResetsOpenAndNewConnections(t *testing.T) {
	t.Parallel()
	p := Start(t, echo(t))
	c, r := dial(t, p)
	if _, err := roundTrip(c, r, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	p.Reset()
	if _, err := roundTrip(c, r, 5*time.Second); !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("round trip on a reset connection = %v, want it reset", err)
	}
	// The reset can come before the dial returns, or on the first read.
	if c2, err := net.Dial("tcp", p.Addr()); err == nil {
		defer c2.Close()
		if _, err := roundTrip(c2, bufio.NewReader(c2), 5*time.Second); err == nil {
			t.Fatal("a connection made while resetting carried data")
		}
	} else if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("dial while resetting = %v, want a reset", err)
	}
	if p.Resets() != 2 {
		t.Errorf("%d connections reset, want 2", p.Resets())
	}
	p.Heal()
	c3, r3 := dial(t, p)
	if got, err := roundTrip(c3, r3, 5*time.Second); err != nil || got != "ping\n" {
		t.Fatalf("after Heal = %q, %v; want the echo", got, err)
	}
}

func TestATargetThatIsDownClosesTheClient(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	p := Start(t, addr)
	c, r := dial(t, p)
	if _, err := roundTrip(c, r, 5*time.Second); err == nil {
		t.Fatal("a round trip to a target that is down succeeded")
	}
}
