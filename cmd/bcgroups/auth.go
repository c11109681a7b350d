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
profile, which is used only when neither flags nor the environment name a
store. A profile's token is sent only to the host of the profile's base
URL (BigCommerce's API host when it has none).

login, switch and logout change the file under a lock (config.json.lock
beside it), so that commands run at the same time keep each other's
profiles. Any command that reads the file warns when others could change
it or read the tokens in it.`,
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
	hash := first(source{a.flags.storeHash, "--store-hash", fromFlags}, source{a.getenv("BIGCOMMERCE_STORE_HASH"), "BIGCOMMERCE_STORE_HASH", fromEnv})
	if hash.value == "" {
		return usageErrorf("--store-hash: auth login needs the store hash (or BIGCOMMERCE_STORE_HASH)")
	}
	if name == "" {
		name = first(source{value: a.flags.profile}, source{value: hash.value}).value
	}
	if strings.TrimSpace(name) != name || name == "" || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return usageErrorf("NAME: %s is not a usable profile name; use letters, digits, dashes", quote(name))
	}
	flagURL := source{a.flags.baseURL, "--base-url", fromFlags}
	envURL := source{a.getenv("BIGCOMMERCE_BASE_URL"), "BIGCOMMERCE_BASE_URL", fromEnv}
	baseURL := first(flagURL, envURL)
	if baseURL.value != "" {
		if _, err := checkOAuthRoot(baseURL.value, hash.value, baseURL.from, hash.from); err != nil {
			return err
		}
	}
	token, err := a.readToken(ctx, withToken)
	if err != nil {
		return err
	}
	a.secrets = append(a.secrets, token.value)

	// A profile with a wrong token would only fail later, in a cron job.
	p := &profile{StoreHash: hash.value, BaseURL: baseURL.value, ClientID: a.getenv("BIGCOMMERCE_CLIENT_ID")}
	oauth := bigcommerce.NewOAuth(hash.value, token.value)
	oauth.ClientID = p.ClientID
	// A token typed or piped in for this login is bound to the base URL
	// given with it; one taken from flags or the environment keeps the
	// rule of every command: it goes only where its own place says.
	if token.place != "" {
		own := flagURL.value
		if token.place == fromEnv {
			own = envURL.value
		}
		if err := checkTokenHost(oauth, &storeSettings{token: token, baseURL: baseURL, ownRoot: own}); err != nil {
			return err
		}
	}
	opts := []bigcommerce.Option{bigcommerce.WithUserAgent("bcgroups/" + toolVersion())}
	if baseURL.value != "" {
		opts = append(opts, bigcommerce.WithBaseURL(baseURL.value))
	}
	client, err := bigcommerce.NewClient(oauth, append(opts, a.sdkOptions...)...)
	if err != nil {
		return err
	}
	if _, _, err := client.CustomerGroups.Count(ctx, nil); err != nil {
		return fmt.Errorf("checking the token against store %s at %s (nothing was saved): %w", hash.value, hostOf(client.BaseURL()), err)
	}

	where := "the OS keyring"
	err = a.updateConfig(ctx, func(c *config, path string) error {
		switch err := a.storeToken(name, token.value, insecure); {
		case insecure:
			p.Token, where = token.value, path+" (mode 0600, as --insecure-storage asked)"
		case err != nil:
			p.Token, where = token.value, path
			a.say("no OS keyring is available (%v), so the token is saved in %s, which only you can read (mode 0600)", err, path)
		}
		c.Profiles[name] = p
		c.Current = name
		return nil
	})
	if err != nil {
		return fmt.Errorf("saving the profile: %w", err)
	}
	a.say("logged in to store %s at %s as profile %s, now the current profile; the token is in %s", hash.value, hostOf(client.BaseURL()), quote(name), where)
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
// The source's place is empty for a token given to this login alone.
func (a *app) readToken(ctx context.Context, withToken bool) (source, error) {
	if withToken {
		b, err := io.ReadAll(io.LimitReader(a.io.In, 64<<10))
		if err != nil {
			return source{}, err
		}
		if t := strings.TrimSpace(string(b)); t != "" {
			return source{t, "standard input", ""}, nil
		}
		return source{}, usageErrorf("--with-token: standard input held no token")
	}
	if t := first(source{a.flags.token, "--token", fromFlags}, source{a.getenv("BIGCOMMERCE_ACCESS_TOKEN"), "BIGCOMMERCE_ACCESS_TOKEN", fromEnv}); t.value != "" {
		return t, nil
	}
	t, err := a.askToken(ctx)
	return source{t, "the terminal", ""}, err
}

// askToken asks for the token on a terminal without echoing it.
func (a *app) askToken(ctx context.Context) (string, error) {
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
		if a.io.OutTTY {
			b = jsonForTerminal(b)
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
		table = append(table, []string{mark, shown(r.Name), shown(r.StoreHash), r.TokenIn, shown(r.BaseURL)})
	}
	return writeColumns(a.io.Out, table)
}

func newAuthSwitchCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "switch NAME",
		Short: "Make a saved profile the current one",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			var p *profile
			err := a.updateConfig(cmd.Context(), func(c *config, _ string) error {
				var ok bool
				if p, ok = c.Profiles[name]; !ok {
					return usageErrorf("no profile %s; the profiles are %s", quote(name), listOrNone(c.names()))
				}
				c.Current = name
				return nil
			})
			if err != nil {
				return err
			}
			a.say("the current profile is now %s (store %s)", quote(name), p.StoreHash)
			// Switching does not outrank the environment, which a script
			// may have set; say so rather than let the next command
			// surprise.
			if env := a.envStore(); env != "" && a.getenv("BIGCOMMERCE_STORE_HASH") != p.StoreHash {
				a.say("bcgroups: note: the environment names a store (%s), which commands use instead of the current profile until it is unset", env)
			}
			return nil
		},
	}
}

// envStore names the store that the environment sets, or is "".
func (a *app) envStore() string {
	hash, storeURL := a.getenv("BIGCOMMERCE_STORE_HASH"), a.getenv("BIGCOMMERCE_STORE_URL")
	if hash == "" && storeURL == "" && a.getenv("BIGCOMMERCE_ACCESS_TOKEN") == "" {
		return ""
	}
	return envStoreName(hash, storeURL)
}

func newAuthLogoutCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "logout [NAME]",
		Short: "Remove a profile and its token (the current profile when NAME is left out)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var name string
			var p *profile
			err := a.updateConfig(cmd.Context(), func(c *config, _ string) error {
				name = c.Current
				if len(args) == 1 {
					name = args[0]
				}
				if name == "" {
					return usageErrorf("no current profile to log out of; name one, as in bcgroups auth logout NAME (the profiles are %s)", listOrNone(c.names()))
				}
				var ok bool
				if p, ok = c.Profiles[name]; !ok {
					return usageErrorf("no profile %s to log out of; the profiles are %s", quote(name), listOrNone(c.names()))
				}
				if p.Token == "" {
					// A token already gone from the keyring is no reason
					// to keep the profile.
					if err := a.keyring.Delete(name); err != nil && !errors.Is(err, keyring.ErrNotFound) {
						return fmt.Errorf("removing the token of profile %s from the OS keyring (the profile is kept): %w", quote(name), err)
					}
				}
				delete(c.Profiles, name)
				if c.Current == name {
					c.Current = ""
				}
				return nil
			})
			if err != nil {
				return err
			}
			a.say("logged out of profile %s (store %s); its token is deleted", quote(name), p.StoreHash)
			return nil
		},
	}
}
