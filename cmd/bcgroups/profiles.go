package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
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

// loadConfig reads the profiles; no file is no profiles.
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
	return c, path, nil
}

// saveConfig writes the profiles whole (see replaceFile), readable by
// their owner only, since a profile may hold a token.
func saveConfig(path string, c *config) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
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
