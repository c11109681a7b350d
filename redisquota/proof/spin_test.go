package proof

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
)

// spinnerEnv makes the test binary a CPU-bound process: it spins on one
// core until its standard input closes.
const spinnerEnv = "BIGCOMMERCE_PROOF_SPIN"

// spin keeps one core busy, as a single-threaded CPU-bound job beside the
// workers would, until the parent closes standard input.
func spin() {
	runtime.GOMAXPROCS(2) // one thread spins, one waits for the stop
	var stop atomic.Bool
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop.Store(true)
	}()
	fmt.Println("spinning")
	x := 0
	for !stop.Load() {
		for range 1 << 16 {
			x++
		}
	}
	if x < 0 {
		fmt.Println(x) // keeps the loop from being optimised away
	}
}

// spinner is one CPU-bound process.
type spinner struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// startSpinner starts a CPU-bound process and returns once it spins.
func startSpinner() (*spinner, error) {
	s := &spinner{cmd: exec.Command(os.Args[0], "-test.run=^$")}
	s.cmd.Env = append(os.Environ(), spinnerEnv+"=1")
	var err error
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "spinning" {
		s.stop()
		return nil, fmt.Errorf("not spinning: %q, %v", line, err)
	}
	return s, nil
}

// stop ends the process and waits for it.
func (s *spinner) stop() {
	s.stdin.Close()
	_ = s.cmd.Wait()
}
