package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// tempFiles are the temporary files being written now. A second signal
// ends the program without unwinding, so main removes these itself before
// it exits.
var tempFiles struct {
	sync.Mutex
	paths map[string]bool
}

// trackTemp adds a temporary file to tempFiles, or with on false takes it
// off once it was renamed or removed.
func trackTemp(path string, on bool) {
	tempFiles.Lock()
	defer tempFiles.Unlock()
	if tempFiles.paths == nil {
		tempFiles.paths = map[string]bool{}
	}
	if on {
		tempFiles.paths[path] = true
	} else {
		delete(tempFiles.paths, path)
	}
}

// removeTempFiles deletes every temporary file still being written.
func removeTempFiles() {
	tempFiles.Lock()
	defer tempFiles.Unlock()
	for path := range tempFiles.paths {
		os.Remove(path)
	}
}

// cannotWriteError is a file that could not be written, whatever the
// reason: a missing or read-only folder, a folder or a protected file in
// its place, a full disk. It has one exit code of its own.
type cannotWriteError struct {
	path string
	err  error
}

func (e *cannotWriteError) Error() string {
	reason := e.err
	var pathErr *fs.PathError
	if errors.As(e.err, &pathErr) {
		reason = pathErr.Err // the path is named already
	}
	var linkErr *os.LinkError
	if errors.As(e.err, &linkErr) {
		reason = linkErr.Err
	}
	return fmt.Sprintf("cannot write %s: %v", e.path, reason)
}

func (e *cannotWriteError) Unwrap() error { return e.err }

// output is a file about to be written, and how: replaced whole through a
// temporary file, or, where that cannot be, written in place.
type output struct {
	path string // as the user gave it
	// target is the file that is replaced: path with its symbolic links
	// followed, so that the link stays a link, as curl and gh write
	// through it.
	target string
	perm   fs.FileMode
	// stream is set for a pipe, a FIFO, a device or a descriptor such as
	// /dev/stdout or a shell's >(...): there is no file to replace, so
	// what is written goes there at once, and a failure half way leaves
	// half an export behind.
	stream bool
	// existed says that a file was there before, which a failure leaves
	// as it was.
	existed bool
}

// planOutput finds out how path is written. A new file gets perm; a
// replaced one keeps its mode, unless keepMode is false (a file that must
// stay private whatever its mode was).
func planOutput(path string, perm fs.FileMode, keepMode bool) (*output, error) {
	o := &output{path: path, target: path, perm: perm}
	info, err := os.Stat(path)
	switch {
	case err == nil && info.IsDir():
		return nil, &cannotWriteError{path, errors.New("it is a folder")}
	case err == nil && !info.Mode().IsRegular():
		o.stream = true
		return o, nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, &cannotWriteError{path, err}
	}
	target, descriptor, err := followLinks(path)
	if err != nil {
		return nil, &cannotWriteError{path, err}
	}
	if descriptor {
		// /dev/stdout of a shell's "> file": the shell opened the file,
		// and replacing it would cut the shell's descriptor off.
		o.stream = true
		return o, nil
	}
	o.target, o.existed = target, info != nil
	if info != nil && keepMode {
		o.perm = info.Mode().Perm()
	}
	return o, nil
}

// followLinks follows the symbolic links of path's last element to the
// file they lead to, which need not exist (a dangling link is written
// through, like any other). descriptor reports a link to a process's open
// file (/dev/stdout, /dev/fd/N, /proc/self/fd/N), which is no file to
// replace.
func followLinks(path string) (target string, descriptor bool, err error) {
	for range 40 { // as many as Linux follows
		if isDescriptorPath(path) {
			return "", true, nil
		}
		info, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) || (err == nil && info.Mode()&fs.ModeSymlink == 0) {
			return path, false, nil
		}
		if err != nil {
			return "", false, err
		}
		link, err := os.Readlink(path)
		if err != nil {
			return "", false, err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(path), link)
		}
		path = link
	}
	return "", false, errors.New("too many levels of symbolic links")
}

func isDescriptorPath(path string) bool {
	for _, prefix := range []string{"/dev/fd/", "/dev/stdout", "/dev/stderr", "/proc/"} {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return false
}

// write fills the output with what write produces. A file is replaced
// only when it is complete: write fills a temporary file beside the target
// (a rename within one folder is atomic), which is flushed to disk and
// renamed over it. If write fails, or the program is interrupted, the
// temporary file is removed and whatever was there before is left as it
// was, so a cron job that fails never leaves half an export where the
// last good one was.
//
// An error of the file itself is a *cannotWriteError; an error of write's
// own (the store's) comes back as it was.
func (o *output) write(write func(io.Writer) error) error {
	if o.stream {
		return o.writeInPlace(write)
	}
	return o.replace(write)
}

// writeInPlace writes to a pipe, FIFO or descriptor. O_APPEND keeps what
// a shell's ">>" put there before.
func (o *output) writeInPlace(write func(io.Writer) error) error {
	f, err := os.OpenFile(o.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return &cannotWriteError{o.path, err}
	}
	fw := &fileWriter{f: f}
	err = write(fw)
	if cerr := f.Close(); fw.err == nil && err == nil && cerr != nil {
		fw.err = cerr
	}
	if fw.err != nil {
		return &cannotWriteError{o.path, fw.err}
	}
	return err
}

func (o *output) replace(write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(o.target)
	if dir == "" {
		dir = "."
	}
	f, err := createLockedTemp(dir, base)
	if err != nil {
		return &cannotWriteError{o.path, err}
	}
	tmp := f.Name()
	trackTemp(tmp, true)
	closed := false
	defer func() {
		if !closed {
			f.Close()
		}
		if err != nil {
			os.Remove(tmp)
		}
		trackTemp(tmp, false)
	}()
	fail := func(err error) error { return &cannotWriteError{o.path, err} }
	if err := f.Chmod(o.perm); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return fail(err)
	}
	fw := &fileWriter{f: f}
	if err := write(fw); err != nil {
		if fw.err != nil {
			return fail(fw.err)
		}
		return err
	}
	// Without the sync, a crash just after the rename could leave an empty
	// file under the target's name on some file systems.
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if !renameBeforeClose {
		closed = true
		if err := f.Close(); err != nil {
			return fail(err)
		}
	}
	if err := os.Rename(tmp, o.target); err != nil {
		return fail(err)
	}
	removeStaleTemps(dir, base)
	syncDir(dir)
	return nil
}

// fileWriter remembers the file's own write error, so that replace can
// tell a full disk from a failure of the store that write was copying.
type fileWriter struct {
	f   *os.File
	err error
}

func (w *fileWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}

// tempPattern is the name of this program's temporary files beside base.
func tempPattern(base string) string { return "." + base + ".*.tmp" }

// createLockedTemp creates a temporary file beside base and locks it for
// as long as it is written, so that a later run can tell it from one a
// killed run left (see removeStaleTemps). If another run's clean-up
// removed the file before it was locked, a new one is made. Where the
// file system refuses locks, the file is written unlocked; clean-ups
// there cannot lock it either, so they leave it alone.
func createLockedTemp(dir, base string) (*os.File, error) {
	for {
		f, err := os.CreateTemp(dir, tempPattern(base))
		if err != nil {
			return nil, err
		}
		ok, err := tryLock(f)
		if err != nil {
			return f, nil
		}
		still, serr := os.Stat(f.Name())
		mine, merr := f.Stat()
		if ok && serr == nil && merr == nil && os.SameFile(still, mine) {
			return f, nil
		}
		f.Close()
	}
}

// removeStaleTemps removes the temporary files that runs killed by
// SIGKILL, a crash or a power cut left beside base: those that no running
// program holds locked. Where a temporary file cannot stay locked until
// its rename (see renameBeforeClose), none are removed, since a live one
// could not be told from a stale one.
func removeStaleTemps(dir, base string) {
	if !renameBeforeClose {
		return
	}
	names, _ := filepath.Glob(filepath.Join(dir, tempPattern(base)))
	ours := regexp.MustCompile(`^\.` + regexp.QuoteMeta(base) + `\.[0-9]+\.tmp$`)
	for _, name := range names {
		if !ours.MatchString(filepath.Base(name)) {
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		if ok, _ := tryLock(f); ok {
			os.Remove(name)
		}
		f.Close()
	}
}

// replaceFile writes path whole or not at all (see output.write); a new
// file gets perm, a replaced one keeps its mode.
func replaceFile(path string, perm fs.FileMode, write func(io.Writer) error) error {
	o, err := planOutput(path, perm, true)
	if err != nil {
		return err
	}
	return o.write(write)
}

// replaceFileMode is replaceFile with the mode always perm, for a file
// that must stay private whatever its mode was.
func replaceFileMode(path string, perm fs.FileMode, write func(io.Writer) error) error {
	o, err := planOutput(path, perm, false)
	if err != nil {
		return err
	}
	return o.write(write)
}

// syncDir makes a rename in dir durable where the system allows it; some
// systems cannot open a folder for syncing, and the rename has already
// happened, so a failure here is not reported.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
