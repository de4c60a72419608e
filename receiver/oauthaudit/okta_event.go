package oauthaudit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// oktaEvent is the part of an Okta LogEvent the receiver reads. Field names
// are those of the LogEvent schema of Okta's management API
// (developer.okta.com/docs/api/openapi/okta-management/management/tag/SystemLog/,
// components LogEvent, LogActor, LogClient, LogOutcome, LogTarget,
// LogDebugContext).
type oktaEvent struct {
	UUID           string `json:"uuid"`
	Published      string `json:"published"`
	EventType      string `json:"eventType"`
	Severity       string `json:"severity"`
	DisplayMessage string `json:"displayMessage"`
	Actor          *struct {
		ID          string `json:"id"`
		Type        string `json:"type"`
		AlternateID string `json:"alternateId"`
	} `json:"actor"`
	// Client: "for OAuth requests, the id of the OAuth client making the
	// request" (LogClient.id), and the request's IP (LogClient.ipAddress).
	Client *struct {
		ID        string `json:"id"`
		IPAddress string `json:"ipAddress"`
	} `json:"client"`
	Outcome *struct {
		Result string `json:"result"`
		Reason string `json:"reason"`
	} `json:"outcome"`
	Target []struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"target"`
	DebugContext *struct {
		DebugData map[string]json.RawMessage `json:"debugData"`
	} `json:"debugContext"`
}

// parseOktaEvent decodes one LogEvent. uuid, eventType and published are
// required; a field of the wrong type is an error naming the field, never
// quoting a value.
func parseOktaEvent(raw json.RawMessage) (pagedEvent, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return pagedEvent{}, &FieldError{Msg: "an event must be a JSON object"}
	}
	var ev oktaEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return pagedEvent{}, &FieldError{Field: te.Field, Msg: "unexpected " + te.Value}
		}
		return pagedEvent{}, &FieldError{Msg: "invalid JSON: " + jsonErrText(err)}
	}
	switch {
	case ev.UUID == "":
		return pagedEvent{}, &FieldError{Field: "uuid", Msg: "is required"}
	case ev.EventType == "":
		return pagedEvent{}, &FieldError{Field: "eventType", Msg: "is required"}
	case ev.Published == "":
		return pagedEvent{}, &FieldError{Field: "published", Msg: "is required"}
	}
	at, err := time.Parse(time.RFC3339Nano, ev.Published)
	if err != nil {
		return pagedEvent{}, &FieldError{Field: "published", Msg: fmt.Sprintf("is not an RFC 3339 time (%d bytes)", len(ev.Published))}
	}
	return pagedEvent{id: ev.UUID, at: at.UTC(), data: &ev}, nil
}

func (s *oktaSource) parseEvent(raw json.RawMessage) (pagedEvent, error) {
	return parseOktaEvent(raw)
}
