// Command bcgroups reads and writes a BigCommerce store's customer groups
// from the command line: list, count, get, create, update and delete them,
// export them as JSON, NDJSON or CSV, and apply a document of groups to a
// store, which is how groups move from one store to another.
//
// Run it with --fake to try every command against a built-in sample store.
// See README.md for the commands, the document format and the exit codes.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
)

func main() {
	// The first signal that ends the program (stopSignals) cancels ctx:
	// apply then stops before its next write and says what was done, and
	// a file being written is removed. A second one ends the program at
	// once, still removing any half-written file.
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, stopSignals...)
	go func() {
		sig := <-sigs
		cancel(&interrupted{sig})
		sig = <-sigs
		removeTempFiles()
		os.Exit(signalExitCode(sig))
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	signal.Stop(sigs)
	os.Exit(code)
}

// run is the whole program behind main: it reads the environment and finds
// out which streams are terminals, runs the command line args, and returns
// the exit code, so that tests need no subprocess.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{io: newIOStreams(stdin, stdout, stderr), getenv: os.Getenv, userConfigDir: os.UserConfigDir, keyring: osKeyring{}}
	return a.execute(ctx, args)
}
