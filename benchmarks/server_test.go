package benchmarks

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The loopback server runs in a child process (this test binary started
// again with childEnv set), so that the allocations and the live heap
// measured here are the client's alone, not the server's too.
const childEnv = "BIGCOMMERCE_BENCHMARKS_SERVER"

const (
	benchToken = "benchtoken9f8e7d6c5b4a"
	// recordedHash is the store whose list answers the recorded page as it
	// is, whatever page is asked for.
	recordedHash = "recorded"
)

// generatedHash names a generated store of n groups: ids 1 to n, rendered
// from the recorded page by appendPage.
func generatedHash(n int) string { return "n" + strconv.Itoa(n) }

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		if err := serveChild(); err != nil {
			fmt.Fprintln(os.Stderr, "benchmarks server:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	stopChild()
	os.Exit(code)
}

// serveChild serves until its standard input closes, which happens when
// the parent exits, however it exits.
func serveChild() error {
	fx, err := loadFixtures()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	go func() { _ = http.Serve(ln, &cannedHandler{fx: fx}) }()
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}

var child struct {
	once  sync.Once
	url   string
	err   error
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// serverURL returns the child server's address, starting it on first use.
func serverURL(tb testing.TB) string {
	tb.Helper()
	child.once.Do(func() { child.url, child.err = startChild() })
	if child.err != nil {
		tb.Fatalf("starting the loopback server: %v", child.err)
	}
	return child.url
}

func startChild() (string, error) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	child.cmd, child.stdin = cmd, stdin
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("reading the server's address: %w", err)
	}
	return "http://" + strings.TrimSpace(line), nil
}

func stopChild() {
	if child.cmd == nil {
		return
	}
	_ = child.stdin.Close()
	done := make(chan struct{})
	go func() { _ = child.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = child.cmd.Process.Kill()
		<-done
	}
}

// cannedHandler does as little work as it can: every answer is a recorded
// response, or a page rendered from recorded groups. It checks the token,
// so that neither client can skip authentication.
type cannedHandler struct {
	fx   fixtures
	bufs sync.Pool
	rate rateWindow
}

// rateWindow replaces the recorded rate-limit headers with an honest count
// of a quota large enough never to hold a benchmark back: the recorded 150
// per 30s would, since the SDK's throttle rightly obeys it.
type rateWindow struct {
	mu    sync.Mutex
	start time.Time
	used  int
}

const (
	benchQuota  = 1_000_000
	benchWindow = 30 * time.Second
)

func (r *rateWindow) headers(hdr http.Header) {
	now := time.Now()
	r.mu.Lock()
	if r.start.IsZero() || now.Sub(r.start) >= benchWindow {
		r.start, r.used = now, 0
	}
	r.used++
	left, reset := benchQuota-r.used, r.start.Add(benchWindow).Sub(now)
	r.mu.Unlock()
	hdr["X-Rate-Limit-Requests-Quota"] = []string{strconv.Itoa(benchQuota)}
	hdr["X-Rate-Limit-Requests-Left"] = []string{strconv.Itoa(max(left, 0))}
	hdr["X-Rate-Limit-Time-Window-Ms"] = []string{strconv.FormatInt(benchWindow.Milliseconds(), 10)}
	hdr["X-Rate-Limit-Time-Reset-Ms"] = []string{strconv.FormatInt(reset.Milliseconds()+1, 10)}
}

func (h *cannedHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Auth-Token") != benchToken {
		http.Error(w, `[{"status":401,"message":"bad token"}]`, http.StatusUnauthorized)
		return
	}
	h.rate.headers(w.Header())
	hash, rel, ok := splitPath(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch {
	case rel == "/customer_groups" && r.Method == http.MethodGet:
		h.list(w, r, hash)
	case rel == "/customer_groups" && r.Method == http.MethodPost:
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			return
		}
		write(w, h.fx.group, http.StatusCreated, h.fx.group.body)
	case strings.HasPrefix(rel, "/customer_groups/") && r.Method == http.MethodGet:
		write(w, h.fx.group, http.StatusOK, h.fx.group.body)
	default:
		http.NotFound(w, r)
	}
}

func (h *cannedHandler) list(w http.ResponseWriter, r *http.Request, hash string) {
	if hash == recordedHash {
		write(w, h.fx.page, http.StatusOK, h.fx.page.body)
		return
	}
	size, err := strconv.Atoi(strings.TrimPrefix(hash, "n"))
	if err != nil || !strings.HasPrefix(hash, "n") {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	page, limit := intParam(q.Get("page"), 1), intParam(q.Get("limit"), 50)
	first := (page-1)*limit + 1
	last := min(page*limit, size)
	if first > last {
		write(w, h.fx.page, http.StatusNoContent, nil)
		return
	}
	bp, _ := h.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	*bp = appendPage((*bp)[:0], h.fx.lines, first, last)
	write(w, h.fx.page, http.StatusOK, *bp)
	h.bufs.Put(bp)
}

func write(w http.ResponseWriter, like recorded, status int, body []byte) {
	hdr := w.Header()
	for k, v := range like.header {
		if !strings.HasPrefix(k, "X-Rate-Limit-") {
			hdr[k] = v
		}
	}
	if status == http.StatusNoContent {
		hdr.Del("Content-Type")
	} else {
		hdr["Content-Length"] = []string{strconv.Itoa(len(body))}
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func intParam(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return def
	}
	return n
}

// splitPath cuts /stores/{hash}/v2/rest into hash and rest.
func splitPath(p string) (hash, rel string, ok bool) {
	rest, ok := strings.CutPrefix(p, "/stores/")
	if !ok {
		return "", "", false
	}
	hash, rest, ok = strings.Cut(rest, "/")
	if !ok {
		return "", "", false
	}
	rel, ok = strings.CutPrefix("/"+rest, "/v2")
	return hash, rel, ok
}
