package keycloakfake

import (
	"encoding/json"
	"os"
	"strings"
	"time"
)

// Attribute names of a Keycloak event as EventBuilder.traceEvent writes
// them on a span event (server-spi-private/src/main/java/org/keycloak/
// events/EventBuilder.java, TracingAttributes.java), and the
// EventRepresentation field each one is.
const (
	traceEventID   = "kc.eventId"
	traceRealmID   = "kc.realmId"
	traceClientID  = "kc.clientId"
	traceUserID    = "kc.userId"
	traceSessionID = "kc.sessionId"
	traceIPAddress = "ipAddress"
	traceError     = "kc.eventError"
	traceDetails   = "kc.details."
)

// FromTrace is the event a span event named typ with attributes attrs
// stands for, stored at time at: the same event, as the events API serves
// it. kc.realmName has no field (the API answers for one realm).
func FromTrace(typ string, attrs map[string]string, at time.Time) Event {
	ev := Event{
		ID: attrs[traceEventID], Time: at.UnixMilli(), Type: typ,
		RealmID: attrs[traceRealmID], ClientID: attrs[traceClientID], UserID: attrs[traceUserID],
		SessionID: attrs[traceSessionID], IPAddress: attrs[traceIPAddress], Error: attrs[traceError],
	}
	for k, v := range attrs {
		if d, ok := strings.CutPrefix(k, traceDetails); ok {
			if ev.Details == nil {
				ev.Details = map[string]string{}
			}
			ev.Details[d] = v
		}
	}
	return ev
}

// StoryEvents reads a story of Keycloak requests in the format of
// processor/oauthnormalize/testdata/keycloak/story.json (each request's
// span event, if any) and returns its events step apart from t0, in story
// order, with the request ids.
func StoryEvents(path string, t0 time.Time, step time.Duration) ([]Event, []string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var story struct {
		Requests []struct {
			ID    string `json:"id"`
			Event *struct {
				Name       string            `json:"name"`
				Attributes map[string]string `json:"attributes"`
			} `json:"event"`
		} `json:"requests"`
	}
	if err := json.Unmarshal(b, &story); err != nil {
		return nil, nil, err
	}
	var evs []Event
	var ids []string
	for _, r := range story.Requests {
		if r.Event == nil {
			continue
		}
		evs = append(evs, FromTrace(r.Event.Name, r.Event.Attributes, t0.Add(time.Duration(len(evs))*step)))
		ids = append(ids, r.ID)
	}
	return evs, ids, nil
}
