package recording

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"runtime"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// The environment that RecordOrReplay reads.
const (
	// EnvRecord chooses recording: "1" records a test whose recording does
	// not exist yet and replays the others (go-vcr's record-once), "all"
	// records every test again, replacing its recording. Unset, empty or
	// "0": replay only.
	EnvRecord = "BIGCOMMERCE_RECORD"
	// EnvStoreHash is the hash of the store to record from, as the
	// examples and bcgroups read it.
	EnvStoreHash = "BIGCOMMERCE_STORE_HASH"
	// EnvAccessToken is the OAuth token to record with.
	EnvAccessToken = "BIGCOMMERCE_ACCESS_TOKEN"
	// EnvBaseURL, optional, replaces the API root when recording, to go
	// through a proxy or to cmd/bigcommerce-fake.
	EnvBaseURL = "BIGCOMMERCE_BASE_URL"
)

// replayStoreHash is the store hash of a client that replays: any hash
// matches a recording made with HideStoreHash, so this one only has to be
// valid.
const replayStoreHash = "replay"

// RecordOrReplay returns an SDK client for a test that records its calls
// against a real store once and replays them from dir from then on, the
// switch being the environment:
//
//	BIGCOMMERCE_RECORD=1 BIGCOMMERCE_STORE_HASH=... BIGCOMMERCE_ACCESS_TOKEN=... go test -run TestSync ./...
//
// With EnvRecord set to "1" and no recording in dir yet, or to "all", the
// client talks to the store of EnvStoreHash and EnvAccessToken (at
// EnvBaseURL if set) through a Recorder that hides the store hash. The
// recording replaces what dir held only if the test passes: a test that
// fails, panics or is killed (an expired token, a store in an odd state)
// leaves the previous recording byte for byte. Otherwise the client
// answers from dir with Replay, FailIfUnused on, and the test fails at
// once if dir holds no recording. Asking to record without credentials
// fails the test rather than quietly replaying.
//
// When replaying, opts follow bigcommerce.WithRetryWait(0, 0) and
// bigcommerce.WithoutThrottling (the target's Options), so a recorded 5xx
// is retried at once and recorded rate-limit headers do not make the
// replay wait; the retry after a recorded 429 still waits what its
// X-Retry-After says. Only OAuth is supported. To redact more than the
// defaults, use RecordOrReplayTargetWith.
func RecordOrReplay(t testing.TB, dir string, opts ...bigcommerce.Option) *bigcommerce.Client {
	t.Helper()
	c, err := recordOrReplay(t, dir, os.Getenv).Client(opts...)
	if err != nil {
		t.Fatalf("recording: RecordOrReplay: %v", err)
	}
	return c
}

// RecordOrReplayTarget is RecordOrReplay for code that builds its own
// clients or sends requests the SDK would not, such as contract.Run: it
// returns the target to record from or to replay.
func RecordOrReplayTarget(t testing.TB, dir string) bigcommercetest.Target {
	t.Helper()
	return recordOrReplay(t, dir, os.Getenv)
}

// RecordOrReplayTargetWith is RecordOrReplayTarget with options for the
// Recorder when recording, such as RedactFields for a secret that the
// defaults do not know; replaying ignores them.
func RecordOrReplayTargetWith(t testing.TB, dir string, opts ...RecorderOption) bigcommercetest.Target {
	t.Helper()
	return recordOrReplay(t, dir, os.Getenv, opts...)
}

// recordOrReplay decides from getenv, a parameter so that tests need not
// change the process's environment (which would forbid t.Parallel).
func recordOrReplay(t testing.TB, dir string, getenv func(string) string, opts ...RecorderOption) bigcommercetest.Target {
	t.Helper()
	mode := getenv(EnvRecord)
	switch mode {
	case "", "0", "1", "all":
	default:
		t.Fatalf("recording: %s=%q: use 1 (record what has no recording yet) or all (record everything again)", EnvRecord, mode)
		return bigcommercetest.Target{}
	}
	existing, err := recordingFiles(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("recording: reading %s: %v", dir, err)
		return bigcommercetest.Target{}
	}
	record := mode == "all" || mode == "1" && len(existing) == 0
	if !record {
		if len(existing) == 0 {
			t.Fatalf("recording: no recording in %s; make one against a store with %s=1 %s=... %s=... go test -run '^%s$'",
				dir, EnvRecord, EnvStoreHash, EnvAccessToken, t.Name())
			return bigcommercetest.Target{}
		}
		return bigcommercetest.Target{
			Auth:       bigcommerce.NewOAuth(replayStoreHash, "replay-token"),
			HTTPClient: Replay(t, dir, FailIfUnused()),
			Options:    []bigcommerce.Option{bigcommerce.WithRetryWait(0, 0), bigcommerce.WithoutThrottling()},
		}
	}

	hash, token := getenv(EnvStoreHash), getenv(EnvAccessToken)
	if hash == "" || token == "" {
		t.Fatalf("recording: %s=%s asks to record, which needs %s and %s", EnvRecord, mode, EnvStoreHash, EnvAccessToken)
		return bigcommercetest.Target{}
	}
	rec := NewRecorder(dir, http.DefaultTransport, append([]RecorderOption{HideStoreHash(hash), OverwriteRecording()}, opts...)...)
	t.Cleanup(func() {
		// FailNow marks the test failed before its cleanups run; a panic
		// does not: testing runs the cleanups of a test without subtests
		// while the panic unwinds, and marks the test failed only after.
		failed := t.Failed() || panicking()
		if err := rec.Err(); err != nil {
			rec.Discard()
			t.Errorf("%v; %s keeps its previous recording", err, dir)
			return
		}
		if failed {
			rec.Discard()
			t.Logf("recording: the test failed, so %s keeps its previous recording", dir)
			return
		}
		if err := rec.Save(); err != nil {
			t.Errorf("%v", err)
		}
	})
	t.Logf("recording: recording to %s", dir)
	return bigcommercetest.Target{Auth: bigcommerce.NewOAuth(hash, token), HTTPClient: &http.Client{Transport: rec}, BaseURL: getenv(EnvBaseURL)}
}

// panicking reports whether the calling goroutine is unwinding a panic:
// whether runtime.gopanic is among its callers.
func panicking() bool {
	pc := make([]uintptr, 64)
	frames := runtime.CallersFrames(pc[:runtime.Callers(2, pc)])
	for {
		f, more := frames.Next()
		if f.Function == "runtime.gopanic" {
			return true
		}
		if !more {
			return false
		}
	}
}
