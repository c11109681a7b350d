package pgtest

import (
	"errors"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// runAs is the user the server runs as when the tests run as root.
type runAs struct{ uid, gid int }

// credential is who the server runs as: initdb and postgres refuse to run
// as root, so a root test process runs them as the postgres system user
// that Debian's package creates.
func credential() (*runAs, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, errors.New("the tests run as root, which PostgreSQL refuses, and there is no postgres user to run it as: " + installHint)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &runAs{uid: uid, gid: gid}, nil
}

func sysProcAttr(r *runAs) *syscall.SysProcAttr {
	// The server dies with the test binary, however that ends.
	a := &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if r != nil {
		a.Credential = &syscall.Credential{Uid: uint32(r.uid), Gid: uint32(r.gid)}
	}
	return a
}
