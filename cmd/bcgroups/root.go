package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// app is one run of the program: its streams, its environment, its global
// flags and, once a command needs it, its connection to a store.
type app struct {
	io     *ioStreams
	getenv func(string) string
	// sdkOptions are added after the tool's own client options; tests use
	// them to retry without waiting.
	sdkOptions []bigcommerce.Option
	// userConfigDir and keyring are where profiles live; tests point them
	// at a temporary folder and a fake keyring.
	userConfigDir func() (string, error)
	keyring       secretStore

	flags   globalFlags
	jq      *jqFilter // set by --jq
	conn    *connection
	secrets []string // credentials in use, kept out of every message
	// warnedConfig is set once the configuration's modes were checked,
	// so that a run warns about them once.
	warnedConfig bool
}

// globalFlags are the flags every command takes.
type globalFlags struct {
	storeHash, token, baseURL string
	profile                   string
	fake, verbose, csvRaw     bool
	output, jq                string
}

func (a *app) newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "bcgroups",
		Short: "Manage a BigCommerce store's customer groups",
		Long: `bcgroups reads and writes the customer groups of a BigCommerce store.

Credentials come from flags, a profile saved by 'bcgroups auth login', or
the environment:
  OAuth (API account or app):  BIGCOMMERCE_STORE_HASH, BIGCOMMERCE_ACCESS_TOKEN
                               (or --store-hash, --token), optional BIGCOMMERCE_CLIENT_ID
  Legacy Basic auth:           BIGCOMMERCE_STORE_URL, BIGCOMMERCE_USERNAME, BIGCOMMERCE_API_KEY
Each setting is taken from the first of: its flag (--store-hash, --token,
--base-url); the profile named by --profile; the environment; the current
profile (auth switch), which is used only when neither flags nor the
environment name a store. When they name different stores, a line on
standard error says which one is used and why.
--base-url (or BIGCOMMERCE_BASE_URL) replaces the API root, e.g. for a proxy
or for the fake served by cmd/bigcommerce-fake. A token is sent only to the
host named beside it (its profile's base URL, BIGCOMMERCE_BASE_URL beside
BIGCOMMERCE_ACCESS_TOKEN, --base-url beside --token), or to BigCommerce's
API host; a base URL from elsewhere is refused. --fake runs every command
against a built-in sample store that lives only as long as the command.

Data goes to standard output; messages, prompts and progress to standard
error. Exit codes: 0 success, 1 failure, 2 usage error, 3 not found,
4 rate limited, 5 apply --dry-run --exit-code found changes, 6 stopped
after some writes (apply, delete), 7 a file could not be written, 129
stopped by SIGHUP, 130 by Ctrl-C, 131 by SIGQUIT, 143 by SIGTERM.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.flags.storeHash, "store-hash", "", "store hash for OAuth (default $BIGCOMMERCE_STORE_HASH)")
	pf.StringVar(&a.flags.token, "token", "", "OAuth access token (default $BIGCOMMERCE_ACCESS_TOKEN)")
	pf.StringVar(&a.flags.profile, "profile", "", "use this profile saved by 'auth login' (default: the current one, unless the environment names a store)")
	pf.StringVar(&a.flags.baseURL, "base-url", "", "API root to use instead of BigCommerce's, e.g. a proxy (default $BIGCOMMERCE_BASE_URL)")
	pf.BoolVar(&a.flags.fake, "fake", false, "use a built-in fake store with sample groups instead of a real one")
	pf.BoolVarP(&a.flags.verbose, "verbose", "v", false, "log every request, with its host, to standard error")
	pf.StringVarP(&a.flags.jq, "jq", "q", "", "filter JSON output with a jq expression, e.g. '.[].name' (strings print without quotes)")
	pf.BoolVar(&a.flags.csvRaw, "csv-raw", false, "write CSV cells exactly, without the guard that keeps spreadsheets from running them as formulas; read a CSV that does not say how it was written exactly")
	pf.StringVarP(&a.flags.output, "output", "o", "", "output format: table, json, ndjson or csv (default table on a terminal, json otherwise)")

	root.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return outputFormats, cobra.ShellCompDirectiveNoFileComp
	})
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{msg: err.Error()}
	})
	root.AddCommand(
		newListCmd(a), newCountCmd(a), newGetCmd(a),
		newCreateCmd(a), newUpdateCmd(a),
		newDeleteCmd(a), newDeleteAllCmd(a),
		newExportCmd(a), newApplyCmd(a),
		newVersionCmd(), newAuthCmd(a),
	)
	return root
}

// execute runs the command line and turns its outcome into an exit code,
// printing any error as one line on standard error.
func (a *app) execute(ctx context.Context, args []string) (code int) {
	// A panic is a bug, but its message may hold a request's headers:
	// print it redacted, with the stack for a bug report.
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(a.io.ErrOut, "bcgroups: internal error (please report it): %s\n%s", a.redact(fmt.Sprint(p)), a.redact(string(debug.Stack())))
			code = exitFailure
		}
	}()
	root := a.newRootCmd()
	root.SetArgs(args)
	root.SetIn(a.io.In)
	root.SetOut(a.io.Out)
	root.SetErr(a.io.ErrOut)
	// cobra parses flags and checks arguments before any pre-run hook, so
	// an error from before this hook ran is always bad input.
	started := false
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		started = true
		if err := a.checkOutputFlag(); err != nil {
			return err
		}
		return a.setUpJQ(cmd)
	}
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil && a.jq != nil {
		err = a.jq.run(ctx)
	}
	err = a.explainNotFound(err)
	a.close()
	if err == nil {
		return exitOK
	}
	var usage *usageError
	if !started && !errors.As(err, &usage) {
		err = &usageError{msg: err.Error()}
	}
	// One line, whatever the source: cobra's suggestions come on lines of
	// their own.
	// The message may quote the store (its answer to a bad request), so it
	// passes terminalLine like every other line of news.
	msg := terminalLine(strings.Join(strings.Fields(a.redact(trimRepeats(err))), " "))
	if errors.As(err, &usage) && cmd != nil {
		msg += fmt.Sprintf(" (see '%s --help')", cmd.CommandPath())
	}
	// A signal outranks whatever error the cancelled command returned:
	// scripts look for 130 or 143 to tell "stopped" from "failed".
	if in, ok := interruptedBy(ctx); ok {
		fmt.Fprintf(a.io.ErrOut, "bcgroups: %s: %s\n", in.Error(), msg)
		return signalExitCode(in.sig)
	}
	fmt.Fprintln(a.io.ErrOut, "bcgroups: "+msg)
	return exitCode(err)
}

// trimRepeats is err's message without the parts that say the same thing
// twice. The SDK already names the call ("bigcommerce: GET /stores/...:"),
// and net/http's *url.Error inside it names it again with the full URL
// and query ("Get \"http://...?limit=250&page=1\":"), which buries the
// reason at the end of a long line.
func trimRepeats(err error) string {
	msg := err.Error()
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		msg = strings.Replace(msg, fmt.Sprintf("%s %q: ", urlErr.Op, urlErr.URL), "", 1)
	}
	return msg
}

// say writes one line of news to standard error. The whole line passes
// terminalLine, since it may carry a store's name or error message, and
// redact, like the final error line.
func (a *app) say(format string, args ...any) {
	fmt.Fprintln(a.io.ErrOut, terminalLine(a.redact(fmt.Sprintf(format, args...))))
}

// redact hides every credential in s. The SDK already keeps them out of
// its errors and logs; this covers the tool's own messages, including
// those from before connect ran, such as a token pasted where an id
// belongs, so it also looks at the environment and the --token flag.
func (a *app) redact(s string) string {
	secrets := append([]string{a.flags.token, a.getenv("BIGCOMMERCE_ACCESS_TOKEN"), a.getenv("BIGCOMMERCE_API_KEY")}, a.secrets...)
	for _, secret := range secrets {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "(redacted)")
		}
	}
	return s
}

var outputFormats = []string{"table", "json", "ndjson", "csv"}

func (a *app) checkOutputFlag() error {
	if a.flags.output == "" {
		return nil
	}
	for _, f := range outputFormats {
		if a.flags.output == f {
			return nil
		}
	}
	return usageErrorf("-o/--output: must be one of %s, got %q", strings.Join(outputFormats, ", "), a.flags.output)
}

// format is the output format asked for, or the default: a table for a
// person at a terminal, JSON for a program.
func (a *app) format() string {
	if a.flags.output != "" {
		return a.flags.output
	}
	if a.io.OutTTY {
		return "table"
	}
	return "json"
}
