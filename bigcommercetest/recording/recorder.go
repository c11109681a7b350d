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
// transport and keeps the exchange, so that Save can write the recording
// Replay answers from later without a store. Give it to a client with
// bigcommerce.WithHTTPClient, and save the recording once the calls have
// done what they should:
//
//	rec := recording.NewRecorder("testdata/sync", nil, recording.HideStoreHash(hash))
//	client, err := bigcommerce.NewClient(bigcommerce.NewOAuth(hash, token),
//		bigcommerce.WithHTTPClient(&http.Client{Transport: rec}))
//	...
//	if err := rec.Save(); err != nil { ... }
//
// RecordOrReplay does this for a test: it saves when the test passes and
// discards the exchanges when it fails, so that a run that went wrong (an
// expired token, a store in an odd state) never replaces a good recording.
//
// A recording is a directory of .http files, one per exchange. A file holds
// the request (request line, headers, a blank line, the body) followed by
// the response in the format of the repository's testdata/responses: status
// line, headers, blank line, body to the end of the file. JSON bodies are
// indented so that a re-recording reads well in a diff; indenting changes
// only the whitespace between tokens. The Host header is left out, since a
// fake's random port would change every file on every recording. The
// request's Content-Length says where its body ends, so keep it right when
// editing a request body by hand, and keep Git from changing line endings
// (a line "*.http -text" in .gitattributes).
//
// File names are a four-digit sequence number, taken when the request
// starts, then the method and a slug of the path after the API root, such
// as 0003-put-customer_groups-17.http, so that sorting the names gives the
// order the requests were made in.
//
// Nothing secret reaches the disk; see Redaction in the package
// documentation for what is redacted and where, and RedactHeaders,
// RedactFields and RedactSecrets to add to it.
//
// A Recorder refuses to replace an existing recording unless
// OverwriteRecording was given: if dir already holds .http files when
// NewRecorder is called, every RoundTrip fails at once without sending
// anything, and Err and Save say why. Failing the request, rather than
// panicking in NewRecorder, lets the test report the refusal the way it
// reports any other request error, while still sparing the store a request
// whose answer would be lost. A request that fails before an answer (a
// refused connection, a cancelled context) is not recorded.
//
// A Recorder is safe for concurrent use.
type Recorder struct {
	dir       string
	next      http.RoundTripper
	overwrite bool
	storeHash string
	red       redactor

	// writeFile writes one file of the new recording; tests replace it
	// to make a write fail half-way.
	writeFile func(name string, data []byte) error

	mu        sync.Mutex
	seq       int
	exchanges []*captured
	closed    error // set by Save or Discard: no more exchanges are taken
	// refused is set by NewRecorder when nothing may be sent: the directory
	// holds a recording, or cannot be read.
	refused error
	err     error // the first error, refused included
}

// captured is one exchange as it happened, unredacted; redaction happens
// when the recording is written, with everything learnt by then.
type captured struct {
	seq      int
	method   string
	target   string // escaped path and query, as sent
	reqHead  http.Header
	reqBody  []byte
	status   int
	respHead http.Header
	respBody []byte
}

// RecorderOption configures a Recorder made by NewRecorder.
type RecorderOption func(*Recorder)

// OverwriteRecording lets the Recorder replace a recording already in its
// directory. The old recording stays as it is until Save has written the
// whole new one; Save then swaps the directories.
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

// RedactSecrets adds values that must never be written, wherever and
// however encoded they appear, such as an app's client secret that only
// the application knows. Empty values are ignored; values of any length
// are honoured.
func RedactSecrets(secrets ...string) RecorderOption {
	return func(r *Recorder) {
		for _, s := range secrets {
			r.red.learn(s, true)
		}
	}
}

// RedactHeaders adds headers whose values are secret, such as an API
// gateway's key header, to those redacted by default (X-Auth-Token,
// X-Auth-Client, Authorization, Proxy-Authorization, Cookie, Set-Cookie).
// Names are compared without regard to case.
func RedactHeaders(names ...string) RecorderOption {
	return func(r *Recorder) {
		for _, n := range names {
			r.red.headers = append(r.red.headers, http.CanonicalHeaderKey(n))
		}
	}
}

// RedactFields adds names of query parameters, form fields and JSON fields
// whose values are secret to those redacted by default (see Redaction in
// the package documentation). Names are compared without regard to case,
// underscores or dashes, so "webhook_key" also covers "webhookKey" and
// "Webhook-Key".
func RedactFields(names ...string) RecorderOption {
	return func(r *Recorder) {
		for _, n := range names {
			r.red.fields = append(r.red.fields, fieldKey(n))
		}
	}
}

// StoreHashPlaceholder stands for the store hash in recordings made with
// HideStoreHash.
const StoreHashPlaceholder = "{store_hash}"

// Redacted replaces every secret value in a recording.
const Redacted = "REDACTED"

// NewRecorder returns a Recorder that will write to dir, and sends
// requests through next (http.DefaultTransport when nil). See Recorder for
// what it refuses and why it fails requests instead of returning an error
// here.
func NewRecorder(dir string, next http.RoundTripper, opts ...RecorderOption) *Recorder {
	if next == nil {
		next = http.DefaultTransport
	}
	r := &Recorder{dir: dir, next: next}
	r.writeFile = func(name string, data []byte) error { return writeSynced(name, data) }
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

// Err returns the first error that kept an exchange from being recorded,
// or the refusal to overwrite, or nil.
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

// RoundTrip sends req through the next transport, keeps the exchange and
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
	closed := r.closed
	r.seq++
	seq := r.seq
	r.mu.Unlock()
	if closed != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, closed
	}

	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, r.fail(fmt.Errorf("recording: recorder: exchange %d: reading the request body: %w", seq, err))
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

	target := req.URL.EscapedPath()
	if req.URL.RawQuery != "" {
		target += "?" + req.URL.RawQuery
	}
	x := &captured{
		seq: seq, method: req.Method, target: target,
		reqHead: req.Header.Clone(), reqBody: reqBody,
		status: resp.StatusCode, respHead: resp.Header.Clone(), respBody: respBody,
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed != nil {
		// Saved or discarded while this request was in flight: the
		// recording no longer takes it, and the test must hear of that.
		return nil, r.closed
	}
	// Learn now, so that an error message about a later exchange, or a
	// Save that runs before this exchange's file is formatted, already
	// knows this exchange's secrets.
	r.red.learnExchange(x)
	r.exchanges = append(r.exchanges, x)
	return resp, nil
}

// Discard drops the exchanges kept so far and leaves dir as it was. Later
// requests through the Recorder fail.
func (r *Recorder) Discard() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.exchanges = nil
	if r.closed == nil {
		r.closed = errors.New("recording: recorder: the recording was discarded; nothing more is recorded")
	}
}

// Save redacts every exchange with all that was learnt, from any exchange,
// and writes the recording: first to a new directory beside dir, each file
// synced, then swapped into place with two renames, so that dir holds
// either the whole previous recording or the whole new one. A failure
// leaves dir as it was and removes the new directory. Other files in dir,
// such as a README, are carried over to the new recording; a
// subdirectory makes Save fail, since it could not be carried over
// atomically. Later requests through the Recorder fail.
func (r *Recorder) Save() error {
	if r.refused != nil {
		return r.refused
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed != nil {
		return r.closed
	}
	r.closed = errors.New("recording: recorder: the recording was saved; nothing more is recorded")
	files := make(map[string][]byte, len(r.exchanges))
	var names []string
	for _, x := range r.exchanges {
		name := exchangeName(x.seq, x.method, r.scrub(pathOf(x.target)))
		files[name] = r.format(x)
		names = append(names, name)
	}
	if err := r.replaceDir(names, files); err != nil {
		if r.err == nil {
			r.err = err
		}
		return err
	}
	return nil
}

// replaceDir writes files as the new content of r.dir; see Save.
func (r *Recorder) replaceDir(names []string, files map[string][]byte) (err error) {
	dir := filepath.Clean(r.dir)
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("recording: saving %s: %w", dir, err)
	}
	// Beside dir, so that the renames stay on one file system; the leading
	// dot keeps go tooling and Replay out of it.
	fresh, err := os.MkdirTemp(parent, "."+base+".new-")
	if err != nil {
		return fmt.Errorf("recording: saving %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(fresh)
			err = fmt.Errorf("recording: saving %s (the previous recording is unchanged): %w", dir, err)
		}
	}()
	for _, name := range names {
		if err := r.writeFile(filepath.Join(fresh, name), files[name]); err != nil {
			return err
		}
	}
	old, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, e := range old {
		switch {
		case e.IsDir():
			return fmt.Errorf("%s holds the directory %s, which a new recording cannot carry over; move it elsewhere", dir, e.Name())
		case strings.HasSuffix(e.Name(), ".http"):
		default:
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				return err
			}
			if err := r.writeFile(filepath.Join(fresh, e.Name()), data); err != nil {
				return err
			}
		}
	}
	if err := syncDir(fresh); err != nil {
		return err
	}
	if len(old) == 0 {
		os.Remove(dir) // an empty directory, or none
		if err := os.Rename(fresh, dir); err != nil {
			return err
		}
		return syncDir(parent)
	}
	retired := strings.Replace(fresh, ".new-", ".old-", 1)
	if err := os.Rename(dir, retired); err != nil {
		return err
	}
	if err := os.Rename(fresh, dir); err != nil {
		if back := os.Rename(retired, dir); back != nil {
			return fmt.Errorf("%w; the previous recording is in %s", err, retired)
		}
		return err
	}
	syncDir(parent)
	return os.RemoveAll(retired)
}

// writeSynced writes data to a new file name and syncs it to disk.
func writeSynced(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes the entries of dir durable; not every platform allows it,
// and the files are complete either way.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	d.Sync()
	return d.Close()
}

// pathOf is the path part of a request target.
func pathOf(target string) string {
	p, _, _ := strings.Cut(target, "?")
	return p
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
