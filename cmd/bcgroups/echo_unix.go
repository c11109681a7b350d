//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package main

import "golang.org/x/sys/unix"

// echoOff turns the terminal's echo off before the token prompt is shown,
// so that a token pasted the moment the prompt appears is never echoed;
// term.ReadPassword turns it off only once it starts to read. The returned
// function turns it back on.
func echoOff(fd int) (restore func(), err error) {
	t, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return nil, err
	}
	saved := *t
	t.Lflag &^= unix.ECHO
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, t); err != nil {
		return nil, err
	}
	return func() { _ = unix.IoctlSetTermios(fd, ioctlSetTermios, &saved) }, nil
}
