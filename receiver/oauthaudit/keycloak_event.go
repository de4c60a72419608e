package oauthaudit

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"
)

// keycloakEvent is Keycloak's EventRepresentation
// (core/src/main/java/org/keycloak/representations/idm/
// EventRepresentation.java): time in epoch milliseconds, details a map of
// strings. id exists from 26.2 on (keycloak#36600).
type keycloakEvent struct {
	ID        string            `json:"id"`
	Time      *int64            `json:"time"`
	Type      string            `json:"type"`
	RealmID   string            `json:"realmId"`
	ClientID  string            `json:"clientId"`
	UserID    string            `json:"userId"`
	SessionID string            `json:"sessionId"`
	IPAddress string            `json:"ipAddress"`
	Error     string            `json:"error"`
	Details   map[string]string `json:"details"`
}

func (s *keycloakSource) parseEvent(raw json.RawMessage) (pagedEvent, error) {
	return parseKeycloakEvent(raw)
}

// parseKeycloakEvent decodes one event; type and a positive time are
// required. An event of a release before 26.2 has no id: it is identified
// by a digest of all its fields (keycloakDigestID).
func parseKeycloakEvent(raw []byte) (pagedEvent, error) {
	var ev keycloakEvent
	if err := decodeObject(raw, &ev); err != nil {
		return pagedEvent{}, err
	}
	if ev.Type == "" {
		return pagedEvent{}, &FieldError{Field: "type", Msg: "missing"}
	}
	if ev.Time == nil || *ev.Time <= 0 {
		return pagedEvent{}, &FieldError{Field: "time", Msg: "missing or not a positive epoch-millisecond time"}
	}
	id := ev.ID
	if id == "" {
		id = keycloakDigestID(&ev)
	}
	return pagedEvent{id: id, at: time.UnixMilli(*ev.Time).UTC(), data: &ev}, nil
}

// keycloakDigestIDPrefix marks an id the receiver made for an event that
// came without one.
const keycloakDigestIDPrefix = "kc-digest:"

// keycloakDigestID identifies an event without an id by a digest of every
// field (details in key order): the same event served twice gets the same
// id. Two events equal in every field, to the millisecond, are one.
func keycloakDigestID(ev *keycloakEvent) string {
	b, _ := json.Marshal(ev) // details marshal in key order
	sum := sha256.Sum256(b)
	return keycloakDigestIDPrefix + base64.RawURLEncoding.EncodeToString(sum[:16])
}
