package main

import (
	"bytes"
	"encoding/binary"
	"strings"

	"go.mongodb.org/mongo-driver/bson/bsontype"
	"go.mongodb.org/mongo-driver/x/bsonx/bsoncore"
)

// PostgreSQL's jsonb cannot hold the character NUL (U+0000): FerretDB v1 passes strings through, so
// PostgreSQL refuses any document or filter holding one (SQLSTATE 22P05), while MongoDB and SQLite
// keep it. On PostgreSQL the proxy therefore escapes every string value of every command on its way
// in, and unescapes every string of every reply on its way out: clients store and read back exactly
// what they wrote, and an equality filter matches, because the filter is escaped as the data was.
//
// The escape character is U+FFFF, a noncharacter (Unicode reserves it for a program's internal use):
// NUL is stored as U+FFFF "0" and U+FFFF itself as U+FFFF U+FFFF, so the escaping is reversible. A
// U+FFFF followed by anything else can only be data stored before escaping, and reads back as it was.
const escapeChar = "\uffff"

var (
	nulEscaper   = strings.NewReplacer("\x00", escapeChar+"0", escapeChar, escapeChar+escapeChar)
	nulUnescaper = strings.NewReplacer(escapeChar+escapeChar, escapeChar, escapeChar+"0", "\x00")
)

func needsEscape(s string) bool   { return strings.ContainsAny(s, "\x00"+escapeChar) }
func needsUnescape(s string) bool { return strings.Contains(s, escapeChar) }

// escapeNULs rewrites a client's OP_MSG so that no string value holds NUL.
func escapeNULs(msg []byte) []byte {
	return rewriteMessageStrings(msg, needsEscape, nulEscaper.Replace)
}

// unescapeNULs gives a reply from FerretDB its strings back as the client wrote them.
func unescapeNULs(msg []byte) []byte {
	// Nearly every reply holds no escape character at all: leave those untouched, unparsed.
	if !bytes.Contains(msg, []byte(escapeChar)) {
		return msg
	}
	return rewriteMessageStrings(msg, needsUnescape, nulUnescaper.Replace)
}

// rewriteMessageStrings applies replace to every string value that needs it, in every document of
// an OP_MSG (the command body and any document sequence), and returns the message unchanged when
// none does, or when it is not an OP_MSG it can read (FerretDB answers those as it would anyway).
// A rewritten message carries no checksum: it would no longer match.
func rewriteMessageStrings(msg []byte, needs func(string) bool, replace func(string) string) []byte {
	if len(msg) < messageHeaderSize+5 || int32(binary.LittleEndian.Uint32(msg[12:])) != opMsg {
		return msg
	}
	flags := binary.LittleEndian.Uint32(msg[messageHeaderSize:])
	sections := msg[messageHeaderSize+4:]
	if flags&checksumFlag != 0 {
		if len(sections) < 4 {
			return msg
		}
		sections = sections[:len(sections)-4]
	}
	out := make([]byte, 0, len(msg)+64)
	out = append(out, msg[:messageHeaderSize]...)
	out = binary.LittleEndian.AppendUint32(out, flags&^checksumFlag)
	changed := false
	for len(sections) > 0 {
		kind := sections[0]
		sections = sections[1:]
		switch kind {
		case 0:
			doc, rest, ok := bsoncore.ReadDocument(sections)
			if !ok {
				return msg
			}
			rewritten, didChange := rewriteStrings(doc, needs, replace)
			changed = changed || didChange
			out = append(append(out, 0), rewritten...)
			sections = rest
		case 1:
			if len(sections) < 4 {
				return msg
			}
			size := int(int32(binary.LittleEndian.Uint32(sections)))
			if size < 5 || size > len(sections) {
				return msg
			}
			body := sections[4:size]
			sections = sections[size:]
			end := bytes.IndexByte(body, 0)
			if end < 0 {
				return msg
			}
			seq := append([]byte{}, body[:end+1]...) // the sequence's identifier
			docs := body[end+1:]
			for len(docs) > 0 {
				doc, rest, ok := bsoncore.ReadDocument(docs)
				if !ok {
					return msg
				}
				rewritten, didChange := rewriteStrings(doc, needs, replace)
				changed = changed || didChange
				seq = append(seq, rewritten...)
				docs = rest
			}
			out = append(out, 1)
			out = binary.LittleEndian.AppendUint32(out, uint32(4+len(seq)))
			out = append(out, seq...)
		default:
			return msg
		}
	}
	if !changed {
		return msg
	}
	binary.LittleEndian.PutUint32(out, uint32(len(out)))
	return out
}

// rewriteStrings returns doc with replace applied to each string value (at any depth, in arrays too)
// for which needs holds, and whether any was; doc itself when none was. Keys are left as they are:
// BSON cannot put NUL in a key.
func rewriteStrings(doc bsoncore.Document, needs func(string) bool, replace func(string) string) (bsoncore.Document, bool) {
	elements, err := doc.Elements()
	if err != nil {
		return doc, false
	}
	var out []byte
	var start int32
	for i, e := range elements {
		var replaced []byte
		v := e.Value()
		switch v.Type {
		case bsontype.String:
			if s := v.StringValue(); needs(s) {
				replaced = bsoncore.AppendStringElement(nil, e.Key(), replace(s))
			}
		case bsontype.EmbeddedDocument:
			if sub, changed := rewriteStrings(v.Document(), needs, replace); changed {
				replaced = bsoncore.AppendDocumentElement(nil, e.Key(), sub)
			}
		case bsontype.Array:
			if sub, changed := rewriteStrings(bsoncore.Document(v.Array()), needs, replace); changed {
				replaced = bsoncore.AppendArrayElement(nil, e.Key(), sub)
			}
		}
		if replaced != nil && out == nil {
			start, out = bsoncore.AppendDocumentStart(make([]byte, 0, len(doc)+16))
			for _, before := range elements[:i] {
				out = append(out, before...)
			}
		}
		if out != nil {
			if replaced != nil {
				out = append(out, replaced...)
			} else {
				out = append(out, e...)
			}
		}
	}
	if out == nil {
		return doc, false
	}
	out, err = bsoncore.AppendDocumentEnd(out, start)
	if err != nil {
		return doc, false
	}
	return out, true
}
