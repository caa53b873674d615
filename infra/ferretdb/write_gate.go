package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"

	"go.mongodb.org/mongo-driver/bson"
)

// FerretDB v1 runs an update as a read, a change in memory and a write of the whole document, with
// nothing held in between, on SQLite and PostgreSQL alike: two concurrent updates of one document
// lose one of them, and a conditional update raced by several clients lets each of them win. The
// write gate sits in front of FerretDB and lets one read-modify-write command at a time through per
// collection, waiting for its reply before the next, which gives MongoDB's single-document atomicity.
// Reads and inserts pass freely: a read sees the last committed document, and an insert is atomic.

const (
	opMsg             = 2013
	moreToComeFlag    = 1 << 1
	checksumFlag      = 1 << 0
	maxMessageBytes   = 48 * 1000 * 1000
	messageHeaderSize = 16
)

// Commands that FerretDB runs as an unisolated read-modify-write.
var readModifyWrite = map[string]bool{
	"update":        true,
	"findAndModify": true,
	"findandmodify": true,
	"delete":        true,
}

type writeGate struct {
	// serialize: one read-modify-write at a time (off only to measure FerretDB without the gate).
	serialize bool
	// escapeNUL: strings are escaped on their way in and unescaped on their way out (nul_escape.go).
	escapeNUL bool
	mu        sync.Mutex
	locks     map[string]*sync.Mutex
}

func newWriteGate(serialize, escapeNUL bool) *writeGate {
	return &writeGate{serialize: serialize, escapeNUL: escapeNUL, locks: map[string]*sync.Mutex{}}
}

func (g *writeGate) lockFor(key string) *sync.Mutex {
	g.mu.Lock()
	defer g.mu.Unlock()
	l, ok := g.locks[key]
	if !ok {
		l = &sync.Mutex{}
		g.locks[key] = l
	}
	return l
}

// serve accepts clients on ln and relays each to a connection of its own to FerretDB.
func (g *writeGate) serve(ln net.Listener, dial func() (net.Conn, error)) error {
	for {
		client, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		go g.relay(client, dial)
	}
}

func (g *writeGate) relay(client net.Conn, dial func() (net.Conn, error)) {
	defer client.Close()
	server, err := dial()
	if err != nil {
		return
	}
	defer server.Close()

	var pending atomic.Int32 // request id of the gated command awaiting its reply
	replied := make(chan struct{}, 1)
	serverGone := make(chan struct{})
	go func() {
		defer close(serverGone)
		defer client.Close()
		for {
			msg, err := readMessage(server)
			if err != nil {
				return
			}
			if g.escapeNUL {
				msg = unescapeNULs(msg)
			}
			if _, err := client.Write(msg); err != nil {
				return
			}
			if id := pending.Load(); id != 0 && responseTo(msg) == id {
				replied <- struct{}{}
			}
		}
	}()

	for {
		msg, err := readMessage(client)
		if err != nil {
			return
		}
		if g.escapeNUL {
			msg = escapeNULs(msg)
		}
		key, awaitsReply := "", false
		if g.serialize {
			key, awaitsReply = gatedCommand(msg)
		}
		if key == "" {
			if _, err := server.Write(msg); err != nil {
				return
			}
			continue
		}
		lock := g.lockFor(key)
		lock.Lock()
		if awaitsReply {
			pending.Store(requestID(msg))
		}
		_, err = server.Write(msg)
		if err == nil && awaitsReply {
			select {
			case <-replied:
			case <-serverGone:
				err = io.EOF
			}
			pending.Store(0)
		}
		lock.Unlock()
		if err != nil {
			return
		}
	}
}

func readMessage(r io.Reader) ([]byte, error) {
	header := make([]byte, messageHeaderSize)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, err
	}
	size := int(int32(binary.LittleEndian.Uint32(header)))
	if size < messageHeaderSize || size > maxMessageBytes {
		return nil, fmt.Errorf("message of %d bytes", size)
	}
	msg := make([]byte, size)
	copy(msg, header)
	if _, err := io.ReadFull(r, msg[messageHeaderSize:]); err != nil {
		return nil, err
	}
	return msg, nil
}

func requestID(msg []byte) int32  { return int32(binary.LittleEndian.Uint32(msg[4:])) }
func responseTo(msg []byte) int32 { return int32(binary.LittleEndian.Uint32(msg[8:])) }

// gatedCommand names the collection ("db.collection") of a read-modify-write OP_MSG command, or ""
// for anything else, and whether the client waits for its reply (not a fire-and-forget write).
func gatedCommand(msg []byte) (key string, awaitsReply bool) {
	if int32(binary.LittleEndian.Uint32(msg[12:])) != opMsg || len(msg) < messageHeaderSize+5 {
		return "", false
	}
	flags := binary.LittleEndian.Uint32(msg[messageHeaderSize:])
	sections := msg[messageHeaderSize+4:]
	if flags&checksumFlag != 0 && len(sections) >= 4 {
		sections = sections[:len(sections)-4]
	}
	for len(sections) > 5 {
		kind := sections[0]
		size := int(int32(binary.LittleEndian.Uint32(sections[1:])))
		if size < 5 || size > len(sections)-1 {
			return "", false
		}
		if kind == 0 {
			return commandKey(bson.Raw(sections[1 : 1+size])), flags&moreToComeFlag == 0
		}
		sections = sections[1+size:]
	}
	return "", false
}

func commandKey(body bson.Raw) string {
	first, err := body.IndexErr(0)
	if err != nil || !readModifyWrite[first.Key()] {
		return ""
	}
	collection, ok := first.Value().StringValueOK()
	if !ok {
		return ""
	}
	db, _ := body.Lookup("$db").StringValueOK()
	return db + "." + collection
}
