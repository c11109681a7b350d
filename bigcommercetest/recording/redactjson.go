package recording

import (
	"bytes"
	"encoding/json"
)

// redactJSON returns a valid JSON document with every string inside the
// value of a field that secret names replaced by "REDACTED", and gives
// each such string, decoded, to found, with the field's name and the
// string's offset in doc. Everything else, whitespace and escapes
// included, is copied byte for byte, so that the recording shows the rest
// of the body exactly as the server sent it. Numbers, booleans and null
// are kept: replacing them would change the body's types.
func redactJSON(doc []byte, secret func(name string) bool, found func(field, value string, at int)) []byte {
	w := jsonRedactor{in: doc, secret: secret, found: found}
	w.value("")
	w.out.Write(w.in[w.i:])
	return w.out.Bytes()
}

// jsonRedactor walks a document that json.Valid accepted, so it checks
// nothing: it only finds where each token ends.
type jsonRedactor struct {
	in     []byte
	i      int
	out    bytes.Buffer
	secret func(string) bool
	found  func(field, value string, at int)
}

func (w *jsonRedactor) space() {
	for w.i < len(w.in) && (w.in[w.i] == ' ' || w.in[w.i] == '\t' || w.in[w.i] == '\n' || w.in[w.i] == '\r') {
		w.out.WriteByte(w.in[w.i])
		w.i++
	}
}

// copyByte copies the structural byte at the cursor.
func (w *jsonRedactor) copyByte() {
	w.out.WriteByte(w.in[w.i])
	w.i++
}

// value copies one value, hiding its strings when field, the secret field
// it is part of, is not empty.
func (w *jsonRedactor) value(field string) {
	w.space()
	switch w.in[w.i] {
	case '{':
		w.copyByte()
		w.space()
		for w.in[w.i] != '}' {
			key := w.stringToken()
			w.out.Write(key)
			var name string
			json.Unmarshal(key, &name)
			w.space()
			w.copyByte() // ':'
			if field == "" && w.secret(name) {
				w.value(name)
			} else {
				w.value(field)
			}
			w.space()
			if w.in[w.i] == ',' {
				w.copyByte()
				w.space()
			}
		}
		w.copyByte()
	case '[':
		w.copyByte()
		w.space()
		for w.in[w.i] != ']' {
			w.value(field)
			w.space()
			if w.in[w.i] == ',' {
				w.copyByte()
			}
		}
		w.copyByte()
	case '"':
		at := w.i
		tok := w.stringToken()
		if field == "" {
			w.out.Write(tok)
			return
		}
		var s string
		json.Unmarshal(tok, &s)
		w.found(field, s, at)
		w.out.WriteString(`"` + Redacted + `"`)
	default: // a number, true, false or null
		start := w.i
		for w.i < len(w.in) && !bytes.ContainsRune([]byte(",]} \t\n\r"), rune(w.in[w.i])) {
			w.i++
		}
		w.out.Write(w.in[start:w.i])
	}
}

// stringToken returns the string token at the cursor, quotes included,
// and moves past it.
func (w *jsonRedactor) stringToken() []byte {
	start := w.i
	w.i++ // the opening quote
	for w.in[w.i] != '"' {
		if w.in[w.i] == '\\' {
			w.i++
		}
		w.i++
	}
	w.i++
	return w.in[start:w.i]
}
