package main

import (
	"bytes"
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
// document, waiting for its reply before the next, which gives MongoDB's single-document atomicity.
// A command whose filter names one _id (a string or an ObjectId, as Vouch's documents have) can only
// touch that document: on PostgreSQL, commands on different documents of a collection pass together.
// Any other read-modify-write (another filter, several statements in one command) holds the whole
// collection, and so does every one on SQLite, which lets one writer at a time into the database: there
// more at once only wait for each other inside SQLite, longer (measured: README, "Store run").
// Reads and inserts pass freely: a read sees the last committed document, and an insert is atomic.
//
// On PostgreSQL an update holds one of FerretDB's pooled connections for the rows of its query while
// it waits for another to write: as many updates at once as the pool has connections (50) would each
// hold one and wait forever. At most maxInFlight read-modify-writes are therefore let through at once.

const (
	opMsg             = 2013
	moreToComeFlag    = 1 << 1
	checksumFlag      = 1 << 0
	maxMessageBytes   = 48 * 1000 * 1000
	messageHeaderSize = 16
	// Under half of FerretDB's 50 PostgreSQL connections, so every update in flight can take its second
	// one with reads still holding some.
	maxInFlight = 16
)

// Commands that FerretDB runs as an unisolated read-modify-write, and where their statements are.
var readModifyWrite = map[string]string{
	"update":        "updates",
	"findAndModify": "",
	"findandmodify": "",
	"delete":        "deletes",
}

// gateKey says what a read-modify-write command may touch.
type gateKey struct {
	collection string // "db.collection"
	document   string // the _id's BSON type and value; "" when it may touch any document of the collection
}

type writeGate struct {
	// serialize: one read-modify-write at a time (off only to measure FerretDB without the gate).
	serialize bool
	// perDocument: one at a time per document when the command names its _id, else per collection.
	perDocument bool
	// escapeNUL: strings are escaped on their way in and unescaped on their way out (nul_escape.go).
	escapeNUL bool

	mu sync.Mutex
	// A command on one document holds its collection's lock shared and the document's exclusively;
	// any other holds the collection's exclusively.
	collections map[string]*sync.RWMutex
	documents   map[gateKey]*documentLock
	// inFlight holds a token per read-modify-write between FerretDB and its reply.
	inFlight chan struct{}
}

// documentLock is dropped from the map when no command holds or waits for it, so the map stays as
// small as the number of documents being written at the moment.
type documentLock struct {
	sync.Mutex
	users int
}

func newWriteGate(serialize, perDocument, escapeNUL bool) *writeGate {
	return &writeGate{
		serialize:   serialize,
		perDocument: perDocument,
		escapeNUL:   escapeNUL,
		collections: map[string]*sync.RWMutex{},
		documents:   map[gateKey]*documentLock{},
		inFlight:    make(chan struct{}, maxInFlight),
	}
}

// acquire waits until the command may run, and returns what lets the next one through. The
// document's (or collection's) lock comes first, so commands queued on one document take no slot.
func (g *writeGate) acquire(key gateKey) (release func()) {
	unlock := g.lock(key)
	g.inFlight <- struct{}{}
	return func() {
		<-g.inFlight
		unlock()
	}
}

func (g *writeGate) lock(key gateKey) (unlock func()) {
	g.mu.Lock()
	collection, ok := g.collections[key.collection]
	if !ok {
		collection = &sync.RWMutex{}
		g.collections[key.collection] = collection
	}
	if key.document == "" || !g.perDocument {
		g.mu.Unlock()
		collection.Lock()
		return collection.Unlock
	}
	document, ok := g.documents[key]
	if !ok {
		document = &documentLock{}
		g.documents[key] = document
	}
	document.users++
	g.mu.Unlock()

	collection.RLock()
	document.Lock()
	return func() {
		document.Unlock()
		collection.RUnlock()
		g.mu.Lock()
		if document.users--; document.users == 0 {
			delete(g.documents, key)
		}
		g.mu.Unlock()
	}
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
		var key gateKey
		awaitsReply := false
		if g.serialize {
			key, awaitsReply = gatedCommand(msg)
		}
		if key.collection == "" {
			if _, err := server.Write(msg); err != nil {
				return
			}
			continue
		}
		release := g.acquire(key)
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
		release()
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

// gatedCommand says what a read-modify-write OP_MSG command may touch (a zero key for anything
// else), and whether the client waits for its reply (not a fire-and-forget write).
func gatedCommand(msg []byte) (key gateKey, awaitsReply bool) {
	if int32(binary.LittleEndian.Uint32(msg[12:])) != opMsg || len(msg) < messageHeaderSize+5 {
		return gateKey{}, false
	}
	flags := binary.LittleEndian.Uint32(msg[messageHeaderSize:])
	sections := msg[messageHeaderSize+4:]
	if flags&checksumFlag != 0 && len(sections) >= 4 {
		sections = sections[:len(sections)-4]
	}
	var body bson.Raw
	// Statements may come in a document sequence instead of the body (kind 1: size, name, documents).
	sequences := map[string][]bson.Raw{}
	for len(sections) > 5 {
		kind := sections[0]
		size := int(int32(binary.LittleEndian.Uint32(sections[1:])))
		if size < 5 || size > len(sections)-1 {
			return gateKey{}, false
		}
		switch kind {
		case 0:
			body = bson.Raw(sections[1 : 1+size])
		case 1:
			seq := sections[5 : 1+size]
			if end := bytes.IndexByte(seq, 0); end >= 0 {
				name, docs := string(seq[:end]), seq[end+1:]
				for len(docs) >= 5 {
					n := int(int32(binary.LittleEndian.Uint32(docs)))
					if n < 5 || n > len(docs) {
						break
					}
					sequences[name] = append(sequences[name], bson.Raw(docs[:n]))
					docs = docs[n:]
				}
			}
		}
		sections = sections[1+size:]
	}
	if body == nil {
		return gateKey{}, false
	}
	return commandKey(body, sequences), flags&moreToComeFlag == 0
}

func commandKey(body bson.Raw, sequences map[string][]bson.Raw) gateKey {
	first, err := body.IndexErr(0)
	if err != nil {
		return gateKey{}
	}
	statements, ok := readModifyWrite[first.Key()]
	if !ok {
		return gateKey{}
	}
	collection, ok := first.Value().StringValueOK()
	if !ok {
		return gateKey{}
	}
	db, _ := body.Lookup("$db").StringValueOK()
	key := gateKey{collection: db + "." + collection}
	var filter bson.Raw
	if statements == "" {
		filter, _ = body.Lookup("query").DocumentOK()
	} else {
		var list []bson.Raw
		if array, ok := body.Lookup(statements).ArrayOK(); ok {
			values, _ := array.Values()
			for _, v := range values {
				if doc, ok := v.DocumentOK(); ok {
					list = append(list, doc)
				}
			}
		} else {
			list = sequences[statements]
		}
		if len(list) == 1 {
			filter, _ = list[0].Lookup("q").DocumentOK()
		}
	}
	key.document = singleID(filter)
	return key
}

// singleID is the _id a filter pins (`{_id: v, …}` or `{_id: {$eq: v}, …}`, v a string or an
// ObjectId), as its BSON type and bytes; "" when the filter may match more than one document. Other
// types are left to the collection's lock: 1 and 1.0 are one _id to MongoDB but not in bytes.
func singleID(filter bson.Raw) string {
	if filter == nil {
		return ""
	}
	id, err := filter.LookupErr("_id")
	if err != nil {
		return ""
	}
	if doc, ok := id.DocumentOK(); ok {
		elements, err := doc.Elements()
		if err != nil || len(elements) != 1 || elements[0].Key() != "$eq" {
			return ""
		}
		id = elements[0].Value()
	}
	if id.Type != bson.TypeString && id.Type != bson.TypeObjectID {
		return ""
	}
	return string(rune(id.Type)) + string(id.Value)
}
