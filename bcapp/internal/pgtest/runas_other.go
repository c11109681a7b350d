//go:build !linux

package pgtest

import "syscall"

// runAs is never set off Linux: tests there run PostgreSQL as the user
// they run as.
type runAs struct{ uid, gid int }

func credential() (*runAs, error) { return nil, nil }

func sysProcAttr(*runAs) *syscall.SysProcAttr { return nil }
