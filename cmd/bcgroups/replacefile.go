package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// tempFiles are the temporary files being written now. A second Ctrl-C or
// SIGTERM ends the program without unwinding, so main removes these
// itself before it exits.
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

// cannotCreateError is replaceFile failing before write was called: the
// folder is missing or not writable.
type cannotCreateError struct{ err error }

func (e *cannotCreateError) Error() string { return e.err.Error() }
func (e *cannotCreateError) Unwrap() error { return e.err }

// removeTempFiles deletes every temporary file still being written.
func removeTempFiles() {
	tempFiles.Lock()
	defer tempFiles.Unlock()
	for path := range tempFiles.paths {
		os.Remove(path)
	}
}

// replaceFile writes a file whole or not at all. write fills a temporary
// file in the target's folder (a rename within one file system is atomic),
// which is flushed to disk and then renamed over path. If write fails, or
// the program is interrupted, the temporary file is removed and whatever
// was at path before is left as it was, so a cron job that fails never
// leaves half an export where the last good one was.
//
// A new file gets perm; a file that is replaced keeps its mode.
func replaceFile(path string, perm fs.FileMode, write func(io.Writer) error) error {
	if info, err := os.Stat(path); err == nil {
		if !info.Mode().IsRegular() {
			return fmt.Errorf("%s is not a regular file", path)
		}
		perm = info.Mode().Perm()
	}
	return replaceFileMode(path, perm, write)
}

// replaceFileMode is replaceFile with the mode always perm, for a file
// that must stay private whatever its mode was.
func replaceFileMode(path string, perm fs.FileMode, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return &cannotCreateError{err}
	}
	tmp := f.Name()
	trackTemp(tmp, true)
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
		trackTemp(tmp, false)
	}()
	if err := f.Chmod(perm); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	if err := write(f); err != nil {
		return err
	}
	// Without the sync, a crash just after the rename could leave an empty
	// file under the target's name on some file systems.
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
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
