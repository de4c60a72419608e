package oauthaudit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// auth0Log is the part of an Auth0 log the receiver reads. Field names are
// those of the Management API's Log object (GET /api/v2/logs, schema Log)
// and of a log stream's data object, which has the same fields
// (auth0.com/docs/customize/log-streams/custom-log-streams).
type auth0Log struct {
	LogID       string `json:"log_id"`
	Date        string `json:"date"`
	Type        string `json:"type"`
	Description string `json:"description"`
	ClientID    string `json:"client_id"`
	ClientName  string `json:"client_name"`
	IP          string `json:"ip"`
	UserAgent   string `json:"user_agent"`
	UserID      string `json:"user_id"`
	UserName    string `json:"user_name"`
	Hostname    string `json:"hostname"`
	// Details is an object whose shape depends on the type; its scalars
	// pass through.
	Details map[string]json.RawMessage `json:"details"`
}

// auth0StreamRecord is one record of a custom-webhook log stream:
// {"log_id": ..., "data": {<the log>}}.
type auth0StreamRecord struct {
	LogID string          `json:"log_id"`
	Data  json.RawMessage `json:"data"`
}

// decodeObject decodes raw, which must be a JSON object, into v; an error
// names the field at fault, never a value.
func decodeObject(raw []byte, v any) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return &FieldError{Msg: "a log must be a JSON object"}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return &FieldError{Field: te.Field, Msg: "unexpected " + te.Value}
		}
		return &FieldError{Msg: "invalid JSON: " + jsonErrText(err)}
	}
	return nil
}

// parseAuth0Log decodes one log of the Management API. log_id, type and date
// are required; date is an ISO 8601 (RFC 3339) time.
func parseAuth0Log(raw []byte) (pagedEvent, error) {
	var l auth0Log
	if err := decodeObject(raw, &l); err != nil {
		return pagedEvent{}, err
	}
	return l.checked()
}

func (l *auth0Log) checked() (pagedEvent, error) {
	switch {
	case l.LogID == "":
		return pagedEvent{}, &FieldError{Field: "log_id", Msg: "is required"}
	case l.Type == "":
		return pagedEvent{}, &FieldError{Field: "type", Msg: "is required"}
	case l.Date == "":
		return pagedEvent{}, &FieldError{Field: "date", Msg: "is required"}
	}
	at, err := time.Parse(time.RFC3339Nano, l.Date)
	if err != nil {
		return pagedEvent{}, &FieldError{Field: "date", Msg: fmt.Sprintf("is not an RFC 3339 time (%d bytes)", len(l.Date))}
	}
	return pagedEvent{id: l.LogID, at: at.UTC(), data: l}, nil
}

// parseAuth0StreamRecord decodes one log stream record. The outer log_id
// wins; data.log_id stands in when the outer one is absent.
func parseAuth0StreamRecord(raw []byte) (pagedEvent, error) {
	var r auth0StreamRecord
	if err := decodeObject(raw, &r); err != nil {
		return pagedEvent{}, err
	}
	if len(bytes.TrimSpace(r.Data)) == 0 || string(bytes.TrimSpace(r.Data)) == "null" {
		return pagedEvent{}, &FieldError{Field: "data", Msg: "is required"}
	}
	var l auth0Log
	if err := decodeObject(r.Data, &l); err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			fe.Field = "data." + fe.Field
			if fe.Field == "data." {
				fe.Field = "data"
			}
		}
		return pagedEvent{}, err
	}
	if r.LogID != "" {
		l.LogID = r.LogID
	}
	return l.checked()
}
