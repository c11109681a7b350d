package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
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
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			if err := run(t.Context(), args, io.Discard, io.Discard); err == nil {
				t.Error("run accepted the flags")
			}
		})
	}
}
