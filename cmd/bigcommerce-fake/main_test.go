package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
)

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-seed", "4", "-quota", "150"}, w, io.Discard)
		w.Close()
	}()

	// Read the banner up to the curl line and run that request by hand.
	curl := regexp.MustCompile(`curl -s -H 'X-Auth-Token: (\w+)' .* '(http://127\.0\.0\.1:\d+/stores/\w+/v2/customer_groups)\?limit=5'`)
	lines := bufio.NewScanner(out)
	var m []string
	for m == nil && lines.Scan() {
		m = curl.FindStringSubmatch(lines.Text())
	}
	if m == nil {
		t.Fatal("no curl example in the banner")
	}
	go io.Copy(io.Discard, out)

	req, _ := http.NewRequest(http.MethodGet, m[2]+"/count", nil)
	req.Header.Set("X-Auth-Token", m[1])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct{ Count int }
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || got.Count != 4 {
		t.Errorf("count %d, %v; want the 4 seeded groups", got.Count, err)
	}
	if q := resp.Header.Get("X-Rate-Limit-Requests-Quota"); q != "150" {
		t.Errorf("quota header %q, want 150 from -quota", q)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("run returned %v after cancel, want nil", err)
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-create-status", "202"},
		{"-quota", "0"},
		{"-nope"},
		{"extra"},
		{"-store-hash", "ABC"},
		{"-token", "tok en"},
		{"-print-env"},
		{"-addr", "127.0.0.1:0", "-stores", "abc,ABC", "-app-url", "http://localhost:3000"},
		{"-addr", "127.0.0.1:0", "-stores", "abc,abc"},
		{"-addr", "127.0.0.1:0", "-stores", "abc", "-store-hash", "def"},
		{"-addr", "127.0.0.1:0", "-stores", "abc,def", "-token", "devtoken"},
		{"-addr", "127.0.0.1:0", "-client-id", "x"},
		{"-addr", "127.0.0.1:0", "-app-url", "ftp://localhost/app"},
		{"-addr", "127.0.0.1:0", "-auth-url", "http://localhost:3000/auth", "-client-secret", "two words"},
		{"-stores", "abc", "-store-hash", "dev", "-token", "devtoken", "-print-env"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			if err := run(t.Context(), args, io.Discard, io.Discard); err == nil {
				t.Error("run accepted the flags")
			}
		})
	}
}

func TestPrintEnvGivesExportLinesForFixedCredentials(t *testing.T) {
	var out strings.Builder
	if err := run(t.Context(), []string{"-addr", "127.0.0.1:8089", "-store-hash", "dev", "-token", "devtoken", "-print-env"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	want := "export BIGCOMMERCE_STORE_HASH=dev\nexport BIGCOMMERCE_ACCESS_TOKEN=devtoken\nexport BIGCOMMERCE_BASE_URL=http://127.0.0.1:8089/stores/dev/v2\n"
	if out.String() != want {
		t.Errorf("print-env wrote\n%s\nwant\n%s", out.String(), want)
	}
}

// TestFixedCredentialsAndTheRequestLog: -store-hash and -token are what the
// fake accepts, and -log writes a line per request without the token.
func TestFixedCredentialsAndTheRequestLog(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out, w := io.Pipe()
	var log lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-store-hash", "dev", "-token", "devtoken", "-log"}, w, &log)
		w.Close()
	}()
	root := regexp.MustCompile(`OAuth base URL\s+(http://\S+)`)
	lines := bufio.NewScanner(out)
	var m []string
	for m == nil && lines.Scan() {
		m = root.FindStringSubmatch(lines.Text())
	}
	if m == nil || !strings.HasSuffix(m[1], "/stores/dev/v2") {
		t.Fatalf("banner root %v, want one for the store hash dev", m)
	}
	go io.Copy(io.Discard, out)
	req, _ := http.NewRequest(http.MethodGet, m[1]+"/customer_groups/count", nil)
	req.Header.Set("X-Auth-Token", "devtoken")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d with the fixed token, want 200", resp.StatusCode)
	}
	cancel()
	<-done
	got := log.String()
	if !strings.Contains(got, "GET /stores/dev/v2/customer_groups/count 200") || strings.Contains(got, "devtoken") {
		t.Errorf("request log %q: want the request and its status, without the token", got)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
