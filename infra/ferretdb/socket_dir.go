package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// FerretDB listens behind the gate on a Unix socket in a private temporary folder, removed at exit. A
// process killed with SIGKILL cannot remove it: each start removes the folders whose process is gone.

const socketDirPrefix = "vouch-ferretdb-"

// makeSocketDir creates this process's folder, named after its pid so a later start can tell whether
// its owner still runs, after removing stale ones.
func makeSocketDir() (string, error) {
	removeStaleSocketDirs(os.TempDir(), time.Now())
	return os.MkdirTemp("", fmt.Sprintf("%s%d-", socketDirPrefix, os.Getpid()))
}

// removeStaleSocketDirs removes the folders of FerretDB processes that no longer run. A folder without a
// pid in its name (made by an earlier build) is stale once nothing listens on its socket and it is older
// than a minute (its owner may still be starting); one that cannot be judged is left alone.
func removeStaleSocketDirs(tmp string, now time.Time) {
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || !strings.HasPrefix(name, socketDirPrefix) {
			continue
		}
		dir := filepath.Join(tmp, name)
		rest := strings.TrimPrefix(name, socketDirPrefix)
		var stale bool
		if pid, _, ok := strings.Cut(rest, "-"); ok {
			n, err := strconv.Atoi(pid)
			stale = err == nil && n > 0 && !processRuns(n)
		} else if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > time.Minute {
			stale = socketRefuses(filepath.Join(dir, "ferretdb.sock"))
		}
		if stale {
			os.RemoveAll(dir)
		}
	}
}

func processRuns(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// socketRefuses: nothing listens there (a slow or forbidden answer is not a refusal).
func socketRefuses(path string) bool {
	conn, err := net.DialTimeout("unix", path, time.Second)
	if err == nil {
		conn.Close()
		return false
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT)
}
