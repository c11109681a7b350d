package main

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisServer is a redis-server started for one run, keeping nothing on
// disk.
type redisServer struct {
	cmd       *exec.Cmd
	addr, url string
}

func startRedis(bin string) (*redisServer, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	rs := &redisServer{cmd: cmd, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	rs.url = "redis://" + rs.addr + "/0"
	if err := rs.awaitPing(5 * time.Second); err != nil {
		rs.stop()
		return nil, err
	}
	return rs, nil
}

// awaitPing waits for the server to answer, as it needs a moment after
// starting before it accepts connections.
func (rs *redisServer) awaitPing(limit time.Duration) error {
	rdb := redis.NewClient(&redis.Options{Addr: rs.addr, MaxRetries: -1})
	defer rdb.Close()
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server on %s did not answer within %v: %w", rs.addr, limit, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (rs *redisServer) stop() {
	_ = rs.cmd.Process.Kill()
	_ = rs.cmd.Wait()
}

// freePort asks the kernel for a loopback port nobody holds. Another
// program could take it before redis-server does; then it fails to start
// and says so.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
