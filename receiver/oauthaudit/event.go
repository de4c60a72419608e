package oauthaudit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// Event is one audit record as served by GET /admin/audit (AuthPlane
// auditEventView) or pushed to the receiver.
type Event struct {
	ID        string
	Action    string
	ActorID   string
	ClientID  string
	IP        string
	Detail    string
	TraceID   string
	CreatedAt time.Time
	// HasTime is false when a pushed event has no created_at.
	HasTime bool
}

// FieldError says which field of an event is wrong and why. It never quotes
// a value: a sender that put a token into the wrong field must not get it
// back in the 400 (and into its own logs).
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return fmt.Sprintf("field %q: %s", e.Field, e.Msg)
}

// BodyError locates a malformed push body: the line (1-based) where the
// offending event starts, and the field error or syntax error.
type BodyError struct {
	Line int
	Err  error
}

func (e *BodyError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

func (e *BodyError) Unwrap() error { return e.Err }

// stringFields are the event fields, all strings on the wire.
var stringFields = []string{"id", "action", "actor_id", "client_id", "ip", "detail", "trace_id", "created_at"}

// parseEvent decodes one JSON object. action is required; created_at is
// required when requireTime is set (pull mode: the cursor needs it).
func parseEvent(raw []byte, requireTime bool) (Event, error) {
	var ev Event
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return ev, &FieldError{Msg: "an event must be a JSON object"}
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return ev, &FieldError{Msg: "invalid JSON: " + jsonErrText(err)}
	}
	vals := make(map[string]string, len(stringFields))
	for _, f := range stringFields {
		v, ok := m[f]
		if !ok || string(v) == "null" {
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			// AuthPlane ids are strings; accept a numeric id as well.
			if f == "id" {
				var n json.Number
				if json.Unmarshal(v, &n) == nil {
					vals[f] = n.String()
					continue
				}
			}
			return ev, &FieldError{Field: f, Msg: "must be a string"}
		}
		vals[f] = s
	}
	ev.ID, ev.Action, ev.ActorID = vals["id"], vals["action"], vals["actor_id"]
	ev.ClientID, ev.IP, ev.Detail = vals["client_id"], vals["ip"], vals["detail"]
	if ev.Action == "" {
		return ev, &FieldError{Field: "action", Msg: "is required"}
	}
	if ts, ok := vals["created_at"]; ok && ts != "" {
		t, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			return ev, &FieldError{Field: "created_at", Msg: fmt.Sprintf("is not an RFC 3339 time (%d bytes)", len(ts))}
		}
		ev.CreatedAt, ev.HasTime = t.UTC(), true
	} else if requireTime {
		return ev, &FieldError{Field: "created_at", Msg: "is required"}
	}
	if tid := vals["trace_id"]; tid != "" {
		if len(tid) != 32 {
			return ev, &FieldError{Field: "trace_id", Msg: fmt.Sprintf("is not 32 hex digits (%d bytes)", len(tid))}
		}
		if _, err := hex.DecodeString(tid); err != nil {
			return ev, &FieldError{Field: "trace_id", Msg: fmt.Sprintf("is not 32 hex digits (%d bytes)", len(tid))}
		}
		ev.TraceID = tid
	}
	if ev.ID == "" {
		// Without an id the record is known by its content, so that the
		// pull cursor can still tell it apart from its neighbours.
		sum := sha256.Sum256(raw)
		ev.ID = "sha256:" + hex.EncodeToString(sum[:16])
	}
	return ev, nil
}

// jsonErrText describes a decoding error without the offending input.
func jsonErrText(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return se.Error()
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "unexpected " + te.Value
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of input"
	}
	return "malformed"
}

// lineAt returns the 1-based line of byte offset off in b.
func lineAt(b []byte, off int64) int {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	if off < 0 {
		off = 0
	}
	return bytes.Count(b[:off], []byte{'\n'}) + 1
}

// skipSpace returns the offset of the first byte at or after off that is not
// JSON whitespace or a comma.
func skipSpace(b []byte, off int64) int64 {
	for off < int64(len(b)) {
		switch b[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
		default:
			return off
		}
	}
	return off
}

// parseBody decodes a push body: one event, a JSON array of events, or
// NDJSON (one event per line; any whitespace-separated sequence of objects is
// accepted). Either every event is valid or an error names the line and the
// field of the first bad one: nothing is half-accepted.
func parseBody(body []byte) ([]Event, error) {
	var events []Event
	err := splitBody(body, func(raw json.RawMessage) error {
		ev, err := parseEvent(raw, false)
		if err == nil {
			events = append(events, ev)
		}
		return err
	})
	return events, err
}

// splitBody hands each JSON value of a push body to each, in order: the body
// is one value, a JSON array of values, or a whitespace-separated sequence
// of values (JSON lines). The first syntax error, or error of each, stops it
// as a *BodyError naming the line where the value starts.
func splitBody(body []byte, each func(raw json.RawMessage) error) error {
	start := skipSpace(body, 0)
	if start == int64(len(body)) {
		return &BodyError{Line: 1, Err: errors.New("empty body: send an event, a JSON array of events, or NDJSON")}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	n := 0
	decodeOne := func() (bool, error) {
		at := skipSpace(body, dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if err == io.EOF {
				return false, nil
			}
			off := at
			var se *json.SyntaxError
			if errors.As(err, &se) {
				off = se.Offset
			}
			return false, &BodyError{Line: lineAt(body, off), Err: errors.New("invalid JSON: " + jsonErrText(err))}
		}
		if err := each(raw); err != nil {
			return false, &BodyError{Line: lineAt(body, at), Err: err}
		}
		n++
		return true, nil
	}
	if body[start] == '[' {
		if _, err := dec.Token(); err != nil {
			return &BodyError{Line: lineAt(body, start), Err: errors.New("invalid JSON")}
		}
		for dec.More() {
			if _, err := decodeOne(); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil { // the closing ']'
			return &BodyError{Line: lineAt(body, dec.InputOffset()), Err: errors.New("invalid JSON: " + jsonErrText(err))}
		}
		if rest := skipSpace(body, dec.InputOffset()); rest != int64(len(body)) {
			return &BodyError{Line: lineAt(body, rest), Err: errors.New("unexpected data after the JSON array")}
		}
		if n == 0 {
			return &BodyError{Line: 1, Err: errors.New("empty array")}
		}
		return nil
	}
	for {
		ok, err := decodeOne()
		if err != nil || !ok {
			return err
		}
	}
}

// parsePage decodes one page of GET /admin/audit: a JSON array (what
// AuthPlane's handler writes) or {"events": [...]} (what its docs show).
func parsePage(body []byte) ([]json.RawMessage, error) {
	b := bytes.TrimSpace(body)
	var raws []json.RawMessage
	if len(b) > 0 && b[0] == '{' {
		var env struct {
			Events []json.RawMessage `json:"events"`
		}
		if err := json.Unmarshal(b, &env); err != nil {
			return nil, fmt.Errorf("undecodable page: %s", jsonErrText(err))
		}
		return env.Events, nil
	}
	if err := json.Unmarshal(b, &raws); err != nil {
		return nil, fmt.Errorf("undecodable page: %s", jsonErrText(err))
	}
	return raws, nil
}
