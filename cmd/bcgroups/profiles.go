package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"time"

	"github.com/zalando/go-keyring"
)

// profile is one store's settings, saved by auth login. The token is kept
// in the OS keyring when there is one; Token holds it only when there was
// none, in a file only its owner can read.
type profile struct {
	StoreHash string `json:"store_hash"`
	BaseURL   string `json:"base_url,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	Token     string `json:"token,omitempty"`
}

// config is the file of profiles under the user's configuration folder.
type config struct {
	Current  string              `json:"current,omitempty"`
	Profiles map[string]*profile `json:"profiles"`
}

// names lists the profiles in order, for messages.
func (c *config) names() []string {
	out := make([]string, 0, len(c.Profiles))
	for name := range c.Profiles {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// configPath is where the profiles live: bcgroups/config.json under
// os.UserConfigDir ($XDG_CONFIG_HOME or ~/.config on Linux, ~/Library/
// Application Support on macOS, %AppData% on Windows).
func (a *app) configPath() (string, error) {
	dir, err := a.userConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the configuration folder: %w", err)
	}
	return filepath.Join(dir, "bcgroups", "config.json"), nil
}

// loadConfig reads the profiles; no file is no profiles. It warns, once
// a run, when others could read the tokens in the file or change it.
func (a *app) loadConfig() (*config, string, error) {
	path, err := a.configPath()
	if err != nil {
		return nil, "", err
	}
	c := &config{Profiles: map[string]*profile{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, path, nil
	}
	if err != nil {
		return nil, path, err
	}
	if err := json.Unmarshal(data, c); err != nil {
		return nil, path, fmt.Errorf("%s: not a bcgroups configuration: %v", path, err)
	}
	if c.Profiles == nil {
		c.Profiles = map[string]*profile{}
	}
	if !a.warnedConfig {
		a.warnedConfig = true
		for _, w := range configWarnings(path, c) {
			a.say("bcgroups: warning: %s", w)
		}
	}
	return c, path, nil
}

// configWarnings lists what is wrong with the modes of the configuration
// file and the folders it is in. Whoever can write to them can point a
// profile at their own host, and its token would go there on the next
// run; whoever can read the file can read the tokens it holds. Windows
// keeps access in lists that file modes do not show, so it is not
// checked there.
func configWarnings(path string, c *config) []string {
	if runtime.GOOS == "windows" {
		return nil
	}
	var out []string
	dir := filepath.Dir(path)
	for _, d := range []string{dir, filepath.Dir(dir)} {
		info, err := os.Stat(d) // through a link, to the folder itself
		if err != nil || info.Mode().Perm()&0o022 == 0 {
			continue
		}
		out = append(out, fmt.Sprintf("%s%s is writable by others (mode %04o), who could change which host your tokens are sent to; run chmod go-w %s",
			d, linkNote(d), info.Mode().Perm(), d))
	}
	info, err := os.Stat(path)
	if err != nil {
		return out
	}
	mode := info.Mode().Perm()
	switch {
	case mode&0o022 != 0:
		out = append(out, fmt.Sprintf("%s is writable by others (mode %04o), who could change which host your tokens are sent to; run chmod 600 %s", path, mode, path))
	case mode&0o044 != 0 && c.holdsTokens():
		out = append(out, fmt.Sprintf("%s holds tokens and is readable by others (mode %04o); run chmod 600 %s", path, mode, path))
	}
	return out
}

// linkNote says where a folder that is a symbolic link leads.
func linkNote(dir string) string {
	if info, err := os.Lstat(dir); err != nil || info.Mode()&fs.ModeSymlink == 0 {
		return ""
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		return " (a link to " + real + ")"
	}
	return ""
}

// holdsTokens reports whether any profile keeps its token in the file.
func (c *config) holdsTokens() bool {
	for _, p := range c.Profiles {
		if p.Token != "" {
			return true
		}
	}
	return false
}

// configLockWait bounds how long a command waits for another bcgroups to
// finish changing the profiles.
const configLockWait = 10 * time.Second

// updateConfig changes the profiles with change, under an advisory lock
// on config.json.lock beside the file, as git updates its config under
// config.lock. The file is read again once the lock is held, so that
// change applies to what the last command saved: two auth login at once
// both keep their profile. The lock file stays: removing it would let
// two commands lock two different files of the same name.
func (a *app) updateConfig(ctx context.Context, change func(c *config, path string) error) error {
	path, err := a.configPath()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return &cannotWriteError{path: path, err: err}
	}
	lock, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return &cannotWriteError{path: path, err: err}
	}
	defer lock.Close()
	if err := a.waitForLock(ctx, lock); err != nil {
		return fmt.Errorf("locking %s: %w", lock.Name(), err)
	}
	defer unlock(lock)
	c, _, err := a.loadConfig()
	if err != nil {
		return err
	}
	if err := change(c, path); err != nil {
		return err
	}
	return saveConfig(path, c)
}

// waitForLock takes the lock on f, waiting up to configLockWait for
// another command to give it up. Where the system or the file system has
// no locks, it goes ahead without one, and says so.
func (a *app) waitForLock(ctx context.Context, f *os.File) error {
	deadline := time.Now().Add(configLockWait)
	for {
		ok, err := tryLock(f)
		switch {
		case ok:
			return nil
		case err != nil:
			a.say("bcgroups: warning: %s cannot be locked here (%v), so a command run at the same time could undo this one's change", f.Name(), err)
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("another bcgroups has held it for %v; if none is running, try again", configLockWait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// saveConfig writes the profiles whole (see replaceFile), readable by
// their owner only, since a profile may hold a token.
func saveConfig(path string, c *config) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return replaceFileMode(path, 0o600, func(w io.Writer) error {
		_, err := w.Write(append(data, '\n'))
		return err
	})
}

// secretStore keeps tokens by profile name: the OS keyring, or a fake in
// tests.
type secretStore interface {
	Get(profile string) (string, error)
	Set(profile, token string) error
	Delete(profile string) error
}

// keyringService is the name tokens are filed under in the OS keyring.
const keyringService = "bcgroups"

// keyringTimeout bounds a keyring call: a keyring waiting for the user to
// unlock it, or a stuck D-Bus, must not hang a cron job. A call that takes
// longer counts as no keyring.
const keyringTimeout = 3 * time.Second

// osKeyring is the system's keyring through go-keyring: Keychain on
// macOS, the Credential Manager on Windows, the Secret Service (GNOME
// Keyring, KWallet) on Linux.
type osKeyring struct{}

func (osKeyring) Get(name string) (string, error) {
	var token string
	err := withTimeout(func() (err error) { token, err = keyring.Get(keyringService, name); return err })
	return token, err
}

func (osKeyring) Set(name, token string) error {
	return withTimeout(func() error { return keyring.Set(keyringService, name, token) })
}

func (osKeyring) Delete(name string) error {
	return withTimeout(func() error { return keyring.Delete(keyringService, name) })
}

var errKeyringTimeout = errors.New("the keyring did not answer in time")

// withTimeout runs f, giving up after keyringTimeout. The call left
// behind finishes on its own; the program does not wait for it.
func withTimeout(f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(keyringTimeout):
		return errKeyringTimeout
	}
}

// profileToken is the token of a profile, from the file or the keyring.
func (a *app) profileToken(name string, p *profile) (string, error) {
	if p.Token != "" {
		return p.Token, nil
	}
	token, err := a.keyring.Get(name)
	if err != nil {
		return "", fmt.Errorf("reading the token of profile %q from the OS keyring: %v (run bcgroups auth login again)", name, err)
	}
	return token, nil
}
