package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// write puts data in root/name, creating its folder.
func write(t *testing.T, root, name string, data []byte) {
	t.Helper()
	path := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// pe returns the start of a PE file: a DOS header pointing at the PE
// signature, at an offset past the first 64 bytes as real files have it.
func pe() []byte {
	b := make([]byte, 0x90)
	copy(b, "MZ")
	binary.LittleEndian.PutUint32(b[60:], 0x80)
	copy(b[0x80:], "PE\x00\x00")
	return b
}

func TestEachBinaryAndLargeFileIsNamed(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	files := map[string][]byte{
		"bin/elf":          append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 100)...),
		"bin/macho64":      {0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1},
		"bin/macho32be":    {0xfe, 0xed, 0xfa, 0xce, 0, 0, 0, 7},
		"bin/universal":    {0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2},
		"bin/tool.exe":     pe(),
		"data/big.json":    bytes.Repeat([]byte("x"), maxSize+1),
		"ok/limit.txt":     bytes.Repeat([]byte("x"), maxSize),
		"ok/main.go":       []byte("package main\n"),
		"ok/mz.txt":        append([]byte("MZ is where this text starts, and it is no program at all."), make([]byte, 200)...),
		"ok/empty":         nil,
		"ok/short":         []byte("\x7fEL"),
		"ok/dos-truncated": []byte("MZ"),
	}
	var names []string
	for name, data := range files {
		write(t, root, name, data)
		names = append(names, name)
	}
	slices.Sort(names)
	problems, err := check(root, append(names, "gone/deleted-in-the-work-tree"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"bin/elf":       "ELF",
		"bin/macho64":   "Mach-O",
		"bin/macho32be": "Mach-O",
		"bin/universal": "Mach-O",
		"bin/tool.exe":  "PE",
		"data/big.json": "over the limit",
	}
	if len(problems) != len(want) {
		t.Errorf("%d problems, want %d:\n%s", len(problems), len(want), strings.Join(problems, "\n"))
	}
	for name, kind := range want {
		found := false
		for _, p := range problems {
			if strings.HasPrefix(p, name+": ") && strings.Contains(p, kind) {
				found = true
			}
		}
		if !found {
			t.Errorf("no problem names %s as %s in:\n%s", name, kind, strings.Join(problems, "\n"))
		}
	}
}

func TestASymlinkIsNotFollowed(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	root := t.TempDir()
	write(t, root, "elf", []byte("\x7fELF\x02\x01\x01\x00"))
	if err := os.Symlink("elf", filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	problems, err := check(root, []string{"link"})
	if err != nil || len(problems) != 0 {
		t.Errorf("a link to a binary: %q, %v; want nothing (the link is not the binary)", problems, err)
	}
}

// TestTheProgramFailsOnATrackedBinary runs the program as .ci/run does, in
// a repository of its own that tracks a binary, and in one that does not.
func TestTheProgramFailsOnATrackedBinary(t *testing.T) {
	t.Parallel()
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git on PATH")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go on PATH")
	}
	bin := filepath.Join(t.TempDir(), "trackedfiles")
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	run := func(dir string, args ...string) (string, error) {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	repo := t.TempDir()
	if out, err := run(repo, git, "init", "-q"); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	write(t, repo, "README.md", []byte("# a repository\n"))
	write(t, repo, "ignored/workers", []byte("\x7fELF\x02\x01\x01\x00"))
	write(t, repo, ".gitignore", []byte("/ignored/\n"))
	if out, err := run(repo, git, "add", "."); err != nil {
		t.Fatalf("git add: %v\n%s", err, out)
	}
	if out, err := run(repo, bin); err != nil {
		t.Errorf("no binary tracked (one ignored): %v\n%s", err, out)
	}

	write(t, repo, "examples/workers/workers", []byte("\x7fELF\x02\x01\x01\x00"))
	if out, err := run(repo, git, "add", "examples/workers/workers"); err != nil {
		t.Fatalf("git add: %v\n%s", err, out)
	}
	out, err := run(repo, bin)
	if err == nil {
		t.Fatalf("exit 0 with a tracked ELF binary:\n%s", out)
	}
	if !strings.Contains(out, "examples/workers/workers: an ELF binary") {
		t.Errorf("the output does not name the file:\n%s", out)
	}
}
