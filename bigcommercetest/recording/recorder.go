package recording

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Recorder is an http.RoundTripper that sends each request on to another
// transport and writes the exchange to a directory, one .http file per
// exchange, so that Replay can answer the same requests later without a
// store. Give it to a client with bigcommerce.WithHTTPClient:
//
//	rec := recording.NewRecorder("testdata/sync", nil, recording.HideStoreHash(hash))
//	client, err := bigcommerce.NewClient(bigcommerce.NewOAuth(hash, token),
//		bigcommerce.WithHTTPClient(&http.Client{Transport: rec}))
//	...
//	if err := rec.Err(); err != nil { ... }
//
// A file holds the request (request line, headers, a blank line, the body)
// followed by the response in the format of the repository's
// testdata/responses: status line, headers, blank line, body to the end of
// the file. JSON bodies are indented so that a re-recording reads well in a
// diff; indenting changes only the whitespace between tokens, so numbers,
// strings and escapes stay exactly as the server sent them. Other bodies
// are kept byte for byte. The Host header is left out, since a fake's
// random port would change every file on every recording. The request's
// Content-Length says where its body ends, so keep it right when editing a
// request body by hand, and keep Git from changing line endings (a line
// "*.http -text" in .gitattributes); the response's body runs to the end
// of the file.
//
// File names are a four-digit sequence number, taken when the request
// starts, then the method and a slug of the path after the API root, such
// as 0003-put-customer_groups-17.http, so that sorting the names gives the
// order the requests were made in.
//
// Nothing secret reaches the disk. The values of X-Auth-Token,
// X-Auth-Client, Authorization, Cookie and Set-Cookie are replaced by
// REDACTED, and the recorder remembers them (and, for Basic auth, the
// decoded password) so that any echo of them in a path, a query, another
// header or a body of this or a later exchange is replaced too.
// RedactSecrets adds values it cannot learn from headers.
//
// A Recorder refuses to replace an existing recording: if dir already holds
// .http files when NewRecorder is called, and OverwriteRecording was not
// given, every RoundTrip fails at once without sending anything, and Err
// says why. Failing the request, rather than panicking in NewRecorder, lets
// the test report the refusal the way it reports any other request error,
// while still sparing the store a request whose answer would be lost.
//
// Each file is written to a temporary file in dir, synced to disk and then
// renamed into place, so a crash or a failed write leaves either the whole
// exchange or nothing. A request that fails before an answer (a refused
// connection, a cancelled context) is not recorded.
//
// A Recorder is safe for concurrent use.
type Recorder struct {
	dir       string
	next      http.RoundTripper
	overwrite bool
	storeHash string

	// createTemp makes the temporary file of one exchange; tests replace
	// it to make a write fail half-way.
	createTemp func(dir, pattern string) (tempFile, error)

	mu      sync.Mutex
	secrets []string // learned and given, never empty strings
	seq     int
	cleared bool // the old recording has been removed (OverwriteRecording)
	// refused is set by NewRecorder when nothing may be sent: the directory
	// holds a recording, or cannot be read.
	refused error
	err     error // the first error, refused included
}

// tempFile is what Recorder needs of an *os.File.
type tempFile interface {
	io.Writer
	Sync() error
	Close() error
	Name() string
}

// RecorderOption configures a Recorder made by NewRecorder.
type RecorderOption func(*Recorder)

// OverwriteRecording lets the Recorder replace a recording already in its
// directory. The old .http files are removed just before the first new
// exchange is written, so a recording that stops early still holds no stale
// exchanges from the one before.
func OverwriteRecording() RecorderOption {
	return func(r *Recorder) { r.overwrite = true }
}

// HideStoreHash replaces the store hash with the placeholder
// StoreHashPlaceholder wherever it appears as a whole word: in paths,
// queries, headers and bodies. Replay matches the placeholder against any
// store hash, so a recording made on one store replays for a client
// configured with another. Give it the hash the client uses.
func HideStoreHash(hash string) RecorderOption {
	return func(r *Recorder) { r.storeHash = hash }
}

// RedactSecrets adds values that must never be written, such as an app's
// client secret or a token that only appears in a body. Empty values are
// ignored.
func RedactSecrets(secrets ...string) RecorderOption {
	return func(r *Recorder) {
		for _, s := range secrets {
			r.learn(s)
		}
	}
}

// StoreHashPlaceholder stands for the store hash in recordings made with
// HideStoreHash.
const StoreHashPlaceholder = "{store_hash}"

// redacted replaces every secret value in a recording.
const redacted = "REDACTED"

// NewRecorder returns a Recorder that writes to dir, creating it if needed,
// and sends requests through next (http.DefaultTransport when nil). See
// Recorder for what it refuses and why it fails requests instead of
// returning an error here.
func NewRecorder(dir string, next http.RoundTripper, opts ...RecorderOption) *Recorder {
	if next == nil {
		next = http.DefaultTransport
	}
	r := &Recorder{dir: dir, next: next, createTemp: createTemp}
	for _, o := range opts {
		o(r)
	}
	if !r.overwrite {
		old, err := recordingFiles(dir)
		switch {
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			r.refused = fmt.Errorf("recording: recorder: reading %s: %w", dir, err)
		case len(old) > 0:
			r.refused = fmt.Errorf("recording: recorder: %s already holds a recording (%d exchanges); "+
				"refusing to write over it without OverwriteRecording", dir, len(old))
		}
		r.err = r.refused
	}
	return r
}

func createTemp(dir, pattern string) (tempFile, error) { return os.CreateTemp(dir, pattern) }

// recordingFiles lists the .http files of dir, sorted by name.
func recordingFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".http") {
			names = append(names, e.Name())
		}
	}
	return names, nil // os.ReadDir sorts by name
}

// Err returns the first error that kept an exchange from being recorded, or
// the refusal to overwrite, or nil. Check it when the test ends: a missing
// exchange would make the replay fail in a more confusing way later.
func (r *Recorder) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

func (r *Recorder) fail(err error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = err
	}
	return err
}

// learn remembers a secret value; callers hold r.mu or own r.
func (r *Recorder) learn(s string) {
	if s == "" {
		return
	}
	for _, v := range r.secrets {
		if v == s {
			return
		}
	}
	r.secrets = append(r.secrets, s)
}

// RoundTrip sends req through the next transport, records the exchange and
// returns the response as the server sent it.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if r.refused != nil {
		// Set once by NewRecorder and never changed, so read without r.mu.
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, r.refused
	}
	r.mu.Lock()
	r.seq++
	seq := r.seq
	r.mu.Unlock()

	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}

	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))

	if err := r.write(seq, req, reqBody, resp, respBody); err != nil {
		return nil, r.fail(fmt.Errorf("recording: recorder: exchange %d (%s %s) not recorded: %w", seq, req.Method, r.hide(req.URL.Path), err))
	}
	return resp, nil
}

// hide redacts a single string with what the recorder knows so far, for
// error messages.
func (r *Recorder) hide(s string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.scrub(s)
}

// write redacts the exchange and writes it atomically as its own file.
func (r *Recorder) write(seq int, req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.learnFrom(req.Header, resp.Header)
	text := r.format(req, reqBody, resp, respBody)

	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return err
	}
	if r.overwrite && !r.cleared {
		old, err := recordingFiles(r.dir)
		if err != nil {
			return err
		}
		for _, name := range old {
			if err := os.Remove(filepath.Join(r.dir, name)); err != nil {
				return err
			}
		}
	}
	r.cleared = true
	return writeAtomic(r.dir, exchangeName(seq, req.Method, r.scrub(req.URL.Path)), text, r.createTemp)
}

// writeAtomic writes data to dir/name through a synced temporary file and a
// rename, so that name never holds part of data.
func writeAtomic(dir, name string, data []byte, create func(dir, pattern string) (tempFile, error)) (err error) {
	// The leading dot and the .tmp suffix keep a leftover out of what
	// Replay reads, should the process die before the cleanup below.
	f, err := create(dir, ".exchange-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), filepath.Join(dir, name)); err != nil {
		return err
	}
	// Sync the directory too, so the rename itself survives a crash; not
	// every platform allows it, and the file is complete either way.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// exchangeName is the file name of exchange seq: its number, method and a
// slug of the path after the API root.
func exchangeName(seq int, method, path string) string {
	rel := path
	// Both roots, /stores/{hash}/v2/ and /api/v2/, end in /v2/.
	if i := strings.Index(rel, "/v2/"); i >= 0 {
		rel = rel[i+len("/v2/"):]
	}
	var slug strings.Builder
	dash := false
	for _, c := range strings.ToLower(rel) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' {
			slug.WriteRune(c)
			dash = false
		} else if !dash && slug.Len() > 0 {
			slug.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimSuffix(slug.String(), "-")
	if len(s) > 40 {
		s = s[:40]
	}
	if s == "" {
		s = "root"
	}
	return fmt.Sprintf("%04d-%s-%s.http", seq, strings.ToLower(method), s)
}
