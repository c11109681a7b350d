package ratelimittest_test

import (
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/ratelimittest"
)

// TestAConformingLimiterPasses runs the suite on the reference limiter,
// alone and as if shared: the suite fails no limiter that keeps the
// contract.
func TestAConformingLimiterPasses(t *testing.T) {
	t.Parallel()
	t.Run("Alone", func(t *testing.T) {
		t.Parallel()
		ratelimittest.Run(t, func(t *testing.T, cfg ratelimittest.Config) bigcommerce.RateLimiter {
			return newRef(cfg.MaxInFlight, "")
		})
	})
	t.Run("Shared", func(t *testing.T) {
		t.Parallel()
		// Limiters of one namespace share their state: here they are one.
		var mu sync.Mutex
		byNamespace := map[string]*refLimiter{}
		ratelimittest.Run(t, func(t *testing.T, cfg ratelimittest.Config) bigcommerce.RateLimiter {
			mu.Lock()
			defer mu.Unlock()
			if l, ok := byNamespace[cfg.Namespace]; ok {
				return l
			}
			l := newRef(cfg.MaxInFlight, "")
			byNamespace[cfg.Namespace] = l
			return l
		}, ratelimittest.Shared())
	})
}

// bugEnv names the bug TestBrokenLimiter plants, in the copy of the test
// binary that TestTheSuiteCatchesEveryBrokenRule starts.
const bugEnv = "RATELIMITTEST_BUG"

// TestBrokenLimiter runs the suite on a reference limiter with one bug.
// It runs only in a copy of the test binary, whose failure is the point.
func TestBrokenLimiter(t *testing.T) {
	b, ok := os.LookupEnv(bugEnv)
	if !ok {
		t.Skip("run by TestTheSuiteCatchesEveryBrokenRule")
	}
	ratelimittest.Run(t, func(t *testing.T, cfg ratelimittest.Config) bigcommerce.RateLimiter {
		return newRef(cfg.MaxInFlight, bug(b))
	})
}

// TestTheSuiteCatchesEveryBrokenRule plants each bug in the reference
// limiter and checks that the case written for that rule fails. Each runs
// in a copy of the test binary, since a failing subtest cannot be
// contained in the test that runs it.
func TestTheSuiteCatchesEveryBrokenRule(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		bug  bug
		rule string
	}{
		{noCap, "RequestsInFlightStayWithinTheCap"},
		{oneTooMany, "QuotaIsGrantedExactlyOnce"},
		{noProbe, "FirstRequestToAnUnknownStoreGoesAlone"},
		{stuckProbe, "FirstRequestWithoutAnAnswerFreesTheOthers"},
		{cancelEndsProbe, "ACanceledWaiterDoesNotEndTheFirstRequestsHold"},
		{lowers, "AnOvertakenAnswerDoesNotRaiseTheCount"},
		{noLateWindow, "TheWindowRefillsAndItsLateAnswersDoNotSpendTheNext"},
		{noRefill, "TheWindowRefillsAndItsLateAnswersDoNotSpendTheNext"},
		{ignoresOthers, "OtherAppsUseLowersWhatIsGranted"},
		{noPause, "A429WithAWaitPausesEveryone"},
		{pausesOnAny429, "A429WithoutAWaitPausesNobody"},
		{counts429, "A429WithoutAWaitPausesNobody"},
		{releasesTwice, "ASecondReleaseIsANoOp"},
		{ignoresCancel, "CancelingAWaitReturnsAtOnceAndHoldsNoSlot"},
		{sleepsOutMaxWait, "AWaitLongerThanMaxWaitIsRefusedAtOnce"},
		{leaksOnRefusal, "ARefusedRequestHoldsNoSlot"},
	} {
		t.Run(string(c.bug), func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenLimiter$/^"+c.rule+"$", "-test.v")
			cmd.Env = append(os.Environ(), bugEnv+"="+string(c.bug))
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), "--- FAIL: TestBrokenLimiter/"+c.rule) {
				t.Errorf("a limiter that %s passed %s (err %v):\n%s", c.bug, c.rule, err, out)
			}
		})
	}
}

func TestSkipNamingNoCaseFails(t *testing.T) {
	if os.Getenv(bugEnv) == "skip" {
		ratelimittest.Run(t, func(t *testing.T, cfg ratelimittest.Config) bigcommerce.RateLimiter {
			return newRef(cfg.MaxInFlight, "")
		}, ratelimittest.Skip("NoSuchCase", "a typo"))
		return
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSkipNamingNoCaseFails$/^QuotaIsGrantedExactlyOnce$", "-test.v")
	cmd.Env = append(os.Environ(), bugEnv+"=skip")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), `Skip names "NoSuchCase"`) {
		t.Errorf("Run passed with a Skip of no case (err %v):\n%s", err, out)
	}
}
