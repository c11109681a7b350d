//go:build !unix || !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package main

// echoOff does nothing where the terminal is not driven through termios;
// term.ReadPassword still hides what is typed once it reads.
func echoOff(int) (restore func(), err error) { return func() {}, nil }
