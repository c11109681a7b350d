package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/zalando/go-keyring"
	"golang.org/x/term"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

func newAuthCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth",
		Short: "Save, list, switch and remove store profiles",
		Long: `A profile keeps one store's settings (store hash, base URL, client id) in
bcgroups/config.json under your configuration folder ($XDG_CONFIG_HOME or
~/.config on Linux, ~/Library/Application Support on macOS, %AppData% on
Windows), so that fifty stores need fifty logins, not fifty sets of
variables.

The token goes in the OS keyring (Keychain, Credential Manager, the Secret
Service of GNOME Keyring or KWallet) where there is one. Where there is
none, as on a server without a desktop session, it goes in the
configuration file, which only you can read (mode 0600), and auth login
says so. Tokens are never printed, by auth list or anything else.

Each setting is taken from the first of: its flag (--store-hash, --token,
--base-url); the profile named by --profile; the environment; the current
profile, which is used only when the environment names no store. A
profile's token is sent only to that profile's store.`,
	}
	cmd.AddCommand(newAuthLoginCmd(a), newAuthListCmd(a), newAuthSwitchCmd(a), newAuthLogoutCmd(a))
	return cmd
}

func newAuthLoginCmd(a *app) *cobra.Command {
	var withToken, insecure bool
	cmd := &cobra.Command{
		Use:   "login [NAME]",
		Short: "Save a store as a profile and make it the current one",
		Long: `Save a store as a profile named NAME (or --profile, or else the store hash)
and make it the current profile. The store hash comes from --store-hash or
BIGCOMMERCE_STORE_HASH, the base URL from --base-url or BIGCOMMERCE_BASE_URL,
the client id from BIGCOMMERCE_CLIENT_ID. The token is read from standard
input with --with-token, else from --token or BIGCOMMERCE_ACCESS_TOKEN, else
asked for on the terminal without echo. The token is checked against the
store (one count of its groups) before anything is saved.`,
		Example: `  bcgroups auth login shop-eu --store-hash abc123      # asks for the token
  bcgroups auth login shop-us --store-hash def456 --with-token < token.txt`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			return a.runAuthLogin(cmd.Context(), name, withToken, insecure)
		},
	}
	cmd.Flags().BoolVar(&withToken, "with-token", false, "read the token from standard input")
	cmd.Flags().BoolVar(&insecure, "insecure-storage", false, "save the token in the configuration file (mode 0600) even where an OS keyring exists")
	return cmd
}

// runAuthLogin checks the token against the store, then saves the profile
// and its token and makes it the current one.
func (a *app) runAuthLogin(ctx context.Context, name string, withToken, insecure bool) error {
	hash, hashFrom := first(source{a.flags.storeHash, "--store-hash"}, source{a.getenv("BIGCOMMERCE_STORE_HASH"), "BIGCOMMERCE_STORE_HASH"})
	if hash == "" {
		return usageErrorf("--store-hash: auth login needs the store hash (or BIGCOMMERCE_STORE_HASH)")
	}
	if name == "" {
		name, _ = first(source{a.flags.profile, ""}, source{hash, ""})
	}
	if strings.TrimSpace(name) != name || name == "" || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return usageErrorf("NAME: %s is not a usable profile name; use letters, digits, dashes", quote(name))
	}
	baseURL, urlFrom := first(source{a.flags.baseURL, "--base-url"}, source{a.getenv("BIGCOMMERCE_BASE_URL"), "BIGCOMMERCE_BASE_URL"})
	if baseURL != "" {
		if _, err := checkOAuthRoot(baseURL, hash, urlFrom, hashFrom); err != nil {
			return err
		}
	}
	token, err := a.readToken(ctx, withToken)
	if err != nil {
		return err
	}
	a.secrets = append(a.secrets, token)

	// A profile with a wrong token would only fail later, in a cron job.
	p := &profile{StoreHash: hash, BaseURL: baseURL, ClientID: a.getenv("BIGCOMMERCE_CLIENT_ID")}
	oauth := bigcommerce.NewOAuth(hash, token)
	oauth.ClientID = p.ClientID
	opts := []bigcommerce.Option{bigcommerce.WithUserAgent("bcgroups/" + toolVersion())}
	if baseURL != "" {
		opts = append(opts, bigcommerce.WithBaseURL(baseURL))
	}
	client, err := bigcommerce.NewClient(oauth, append(opts, a.sdkOptions...)...)
	if err != nil {
		return err
	}
	if _, _, err := client.CustomerGroups.Count(ctx, nil); err != nil {
		return fmt.Errorf("checking the token against store %s (nothing was saved): %w", hash, err)
	}

	c, path, err := a.loadConfig()
	if err != nil {
		return err
	}
	where := "the OS keyring"
	switch err := a.storeToken(name, token, insecure); {
	case insecure:
		p.Token, where = token, path+" (mode 0600, as --insecure-storage asked)"
	case err != nil:
		p.Token, where = token, path
		a.say("no OS keyring is available (%v), so the token is saved in %s, which only you can read (mode 0600)", err, path)
	}
	c.Profiles[name] = p
	c.Current = name
	if err := saveConfig(path, c); err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	a.say("logged in to store %s as profile %s, now the current profile; the token is in %s", hash, quote(name), where)
	return nil
}

// storeToken puts the token in the keyring, unless insecure asks for the
// file; then any token the keyring held for the profile is removed, so
// that an old one cannot outlive the new.
func (a *app) storeToken(name, token string, insecure bool) error {
	if insecure {
		a.keyring.Delete(name)
		return nil
	}
	return a.keyring.Set(name, token)
}

// readToken takes the token from standard input (--with-token), a flag
// or the environment, or asks for it on a terminal without echoing it.
func (a *app) readToken(ctx context.Context, withToken bool) (string, error) {
	if withToken {
		b, err := io.ReadAll(io.LimitReader(a.io.In, 64<<10))
		if err != nil {
			return "", err
		}
		if t := strings.TrimSpace(string(b)); t != "" {
			return t, nil
		}
		return "", usageErrorf("--with-token: standard input held no token")
	}
	if t, _ := first(source{a.flags.token, ""}, source{a.getenv("BIGCOMMERCE_ACCESS_TOKEN"), ""}); t != "" {
		return t, nil
	}
	f, ok := a.io.In.(*os.File)
	if !a.io.InTTY || !ok {
		return "", usageErrorf("no token: pass --with-token and give it on standard input, or set BIGCOMMERCE_ACCESS_TOKEN")
	}
	fd := int(f.Fd())
	// ReadPassword turns echo off until it returns. A Ctrl-C ends the
	// wait without it returning, so the terminal is put back here, or the
	// shell would be left typing blind.
	state, err := term.GetState(fd)
	if err != nil {
		return "", err
	}
	// Echo goes off before the prompt shows, not when ReadPassword starts.
	restoreEcho, err := echoOff(fd)
	if err != nil {
		return "", err
	}
	defer restoreEcho()
	fmt.Fprint(a.io.ErrOut, "Access token (not shown): ")
	type answer struct {
		b   []byte
		err error
	}
	got := make(chan answer, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		got <- answer{b, err}
	}()
	var ans answer
	select {
	case ans = <-got:
	case <-ctx.Done():
		term.Restore(fd, state)
		fmt.Fprintln(a.io.ErrOut)
		return "", fmt.Errorf("nothing was saved: %w", ctx.Err())
	}
	fmt.Fprintln(a.io.ErrOut)
	if ans.err != nil {
		return "", ans.err
	}
	if t := strings.TrimSpace(string(ans.b)); t != "" {
		return t, nil
	}
	return "", usageErrorf("no token was typed")
}

func newAuthListCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:         "list",
		Short:       "List the saved profiles (never their tokens)",
		Annotations: map[string]string{jsonCommand: "yes"},
		Args:        cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return a.runAuthList()
		},
	}
}

// profileListing is one profile as auth list shows it: where its token
// is, never the token.
type profileListing struct {
	Name      string `json:"name"`
	StoreHash string `json:"store_hash"`
	BaseURL   string `json:"base_url,omitempty"`
	TokenIn   string `json:"token_in"`
	Current   bool   `json:"current"`
}

// runAuthList prints the profiles, a table for people or JSON for
// programs, with where each token is kept and never the token.
func (a *app) runAuthList() error {
	c, path, err := a.loadConfig()
	if err != nil {
		return err
	}
	var rows []profileListing
	for _, name := range c.names() {
		p := c.Profiles[name]
		in := "keyring"
		if p.Token != "" {
			in = "file"
		}
		rows = append(rows, profileListing{Name: name, StoreHash: p.StoreHash, BaseURL: p.BaseURL, TokenIn: in, Current: name == c.Current})
	}
	if a.format() != "table" {
		if rows == nil {
			rows = []profileListing{}
		}
		b, err := marshal(rows, true)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(a.io.Out, "%s\n", b)
		return err
	}
	if len(rows) == 0 {
		fmt.Fprintf(a.io.Out, "no profiles in %s; bcgroups auth login adds one\n", path)
		return nil
	}
	table := [][]string{{"", "NAME", "STORE", "TOKEN IN", "BASE URL"}}
	for _, r := range rows {
		mark := ""
		if r.Current {
			mark = "*"
		}
		table = append(table, []string{mark, safeText(r.Name), safeText(r.StoreHash), r.TokenIn, safeText(r.BaseURL)})
	}
	return writeColumns(a.io.Out, table)
}

func newAuthSwitchCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "switch NAME",
		Short: "Make a saved profile the current one",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			c, path, err := a.loadConfig()
			if err != nil {
				return err
			}
			p, ok := c.Profiles[args[0]]
			if !ok {
				return usageErrorf("no profile %s; the profiles are %s", quote(args[0]), listOrNone(c.names()))
			}
			c.Current = args[0]
			if err := saveConfig(path, c); err != nil {
				return err
			}
			a.say("the current profile is now %s (store %s)", quote(args[0]), p.StoreHash)
			return nil
		},
	}
}

func newAuthLogoutCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "logout [NAME]",
		Short: "Remove a profile and its token (the current profile when NAME is left out)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			c, path, err := a.loadConfig()
			if err != nil {
				return err
			}
			name := c.Current
			if len(args) == 1 {
				name = args[0]
			}
			p, ok := c.Profiles[name]
			if !ok {
				return usageErrorf("no profile %s to log out of; the profiles are %s", quote(name), listOrNone(c.names()))
			}
			if p.Token == "" {
				// A token already gone from the keyring is no reason to
				// keep the profile.
				if err := a.keyring.Delete(name); err != nil && !errors.Is(err, keyring.ErrNotFound) {
					return fmt.Errorf("removing the token of profile %s from the OS keyring (the profile is kept): %w", quote(name), err)
				}
			}
			delete(c.Profiles, name)
			if c.Current == name {
				c.Current = ""
			}
			if err := saveConfig(path, c); err != nil {
				return err
			}
			a.say("logged out of profile %s (store %s); its token is deleted", quote(name), p.StoreHash)
			return nil
		},
	}
}
