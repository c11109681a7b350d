// Command trackedfiles fails when a file that git tracks is an executable
// binary (ELF, Mach-O or PE) or larger than 1 MB, and names each such file.
// .ci/run runs it from the repository's root:
//
//	go run ./scripts/trackedfiles
//
// A built program does not belong in a commit: go build rewrites it in
// place, it is built for one platform only, and every clone carries its
// weight for ever. A file over 1 MB is nearly always one of those, or data
// that a test can generate.
package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// maxSize is the largest tracked file allowed, in bytes.
const maxSize = 1_000_000

func main() {
	out, err := exec.Command("git", "ls-files", "-z").Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "trackedfiles: git ls-files:", err)
		os.Exit(2)
	}
	names := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	problems, err := check(".", names)
	if err != nil {
		fmt.Fprintln(os.Stderr, "trackedfiles:", err)
		os.Exit(2)
	}
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, p)
	}
	if len(problems) > 0 {
		fmt.Fprintln(os.Stderr, "trackedfiles: take each file above out of the index (git rm --cached FILE), and ignore build outputs in .gitignore")
		os.Exit(1)
	}
	fmt.Printf("trackedfiles: %d tracked files, none a binary or over %d bytes\n", len(names), maxSize)
}

// check returns one line for each of names (relative to root, with forward
// slashes) that is an executable binary or larger than maxSize. Symbolic
// links are not followed, and a name missing from the working tree (deleted
// but not yet committed) is skipped.
func check(root string, names []string) ([]string, error) {
	var problems []string
	for _, name := range names {
		if name == "" {
			continue
		}
		path := filepath.Join(root, filepath.FromSlash(name))
		info, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !info.Mode().IsRegular() {
			continue
		}
		kind, err := binaryKind(path)
		if err != nil {
			return nil, err
		}
		var why []string
		if kind != "" {
			why = append(why, kind+", and a built program is not committed")
		}
		if info.Size() > maxSize {
			why = append(why, fmt.Sprintf("%d bytes, over the limit of %d", info.Size(), maxSize))
		}
		if len(why) > 0 {
			problems = append(problems, name+": "+strings.Join(why, "; "))
		}
	}
	return problems, nil
}

// machOMagics are the first four bytes of Mach-O files: 32 and 64 bits in
// either byte order, and the universal ("fat") form.
var machOMagics = [][]byte{
	{0xfe, 0xed, 0xfa, 0xce}, {0xfe, 0xed, 0xfa, 0xcf},
	{0xce, 0xfa, 0xed, 0xfe}, {0xcf, 0xfa, 0xed, 0xfe},
	{0xca, 0xfe, 0xba, 0xbe},
}

// binaryKind names the executable format of the file at path from its
// first bytes, or returns "" for anything else.
func binaryKind(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 64)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", err
	}
	head = head[:n]
	if bytes.HasPrefix(head, []byte("\x7fELF")) {
		return "an ELF binary", nil
	}
	for _, m := range machOMagics {
		if bytes.HasPrefix(head, m) {
			return "a Mach-O binary", nil
		}
	}
	// A PE file starts with the DOS header ("MZ"), whose last field is the
	// offset of the "PE\0\0" signature. Text can start with MZ; the
	// signature tells them apart.
	if len(head) == 64 && bytes.HasPrefix(head, []byte("MZ")) {
		sig := make([]byte, 4)
		off := int64(binary.LittleEndian.Uint32(head[60:]))
		if _, err := f.ReadAt(sig, off); err == nil && bytes.Equal(sig, []byte("PE\x00\x00")) {
			return "a PE (Windows) binary", nil
		}
	}
	return "", nil
}
