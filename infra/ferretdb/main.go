// Embedded FerretDB for Vouch: a MongoDB wire-protocol server on SQLite or PostgreSQL, started by
// `npm start` and the test suite. A bare `go install` of FerretDB's own command panics at start (its generated
// version file is missing), so Vouch builds this small main module against the library instead.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP host:port to listen on")
	dir := flag.String("dir", "", "directory for the SQLite data files (created if missing)")
	postgresqlURL := flag.String("postgresql-url", "", "PostgreSQL connection string: use PostgreSQL instead of SQLite")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	gated := flag.Bool("write-gate", true, "one read-modify-write command at a time per document or collection (see write_gate.go)")
	flag.Parse()

	config := ferretdb.Config{Listener: ferretdb.ListenerConfig{TCP: *listen}}
	// PostgreSQL cannot hold NUL in a string: the gate escapes it (nul_escape.go). And it writes different
	// rows at once, where SQLite has one writer: the gate lets writes of different documents through together.
	onPostgreSQL := *postgresqlURL != ""
	var gateListener net.Listener
	if *gated || onPostgreSQL {
		// FerretDB listens on a Unix socket only this process can reach; clients reach it through the gate.
		socketDir, err := makeSocketDir()
		if err == nil {
			defer os.RemoveAll(socketDir)
			config.Listener = ferretdb.ListenerConfig{Unix: filepath.Join(socketDir, "ferretdb.sock")}
			gateListener, err = net.Listen("tcp", *listen)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "ferretdb: cannot listen on %s: %v\n", *listen, err)
			os.Exit(1)
		}
	}
	where := ""
	switch {
	case *postgresqlURL != "" && *dir != "":
		fmt.Fprintln(os.Stderr, "ferretdb: give either --dir (SQLite) or --postgresql-url, not both")
		os.Exit(2)
	case *postgresqlURL != "":
		config.Handler, config.PostgreSQLURL, where = "postgresql", *postgresqlURL, "PostgreSQL"
	case *dir != "":
		abs, err := filepath.Abs(*dir)
		if err == nil {
			err = os.MkdirAll(abs, 0o700)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "ferretdb: cannot use data folder %q: %v\n", *dir, err)
			os.Exit(2)
		}
		config.Handler, config.SQLiteURL, where = "sqlite", "file:"+abs+"/", "SQLite in "+abs
	default:
		fmt.Fprintln(os.Stderr, "ferretdb: --dir (the folder for the SQLite data files) or --postgresql-url is required")
		os.Exit(2)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: --log-level %q: expected debug, info, warn or error\n", *logLevel)
		os.Exit(2)
	}
	config.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(&config)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go exitWhenOrphaned(ctx, stop)
	if gateListener != nil {
		socket := config.Listener.Unix
		go func() {
			<-ctx.Done()
			gateListener.Close()
		}()
		go func() {
			if err := newWriteGate(*gated, onPostgreSQL, onPostgreSQL).serve(gateListener, func() (net.Conn, error) { return net.Dial("unix", socket) }); err != nil {
				fmt.Fprintf(os.Stderr, "ferretdb: write gate: %v\n", err)
				stop()
			}
		}()
	}

	fmt.Printf("ferretdb listening on %s, data in %s\n", *listen, where)
	f.Run(ctx)
}

// exitWhenOrphaned stops the server when the process that started it dies without stopping it
// (for example when it was killed with SIGKILL), so no server is left behind holding the port.
func exitWhenOrphaned(ctx context.Context, stop context.CancelFunc) {
	parent := os.Getppid()
	ticker := time.NewTicker(500 * time.Millisecond)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			if os.Getppid() != parent {
				stop()
				return
			}
		}
	}
}
