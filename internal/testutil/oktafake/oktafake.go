// Package oktafake is an in-process Okta System Log API for tests: GET
// /api/v1/logs as Okta documents it (developer.okta.com/docs/reference/
// api/system-log/): an SSWS API token in Authorization, polling requests with
// since / sortOrder=ASCENDING / limit (at most 1000), events in persistence
// order (their published times need not be), and a Link rel="next" header
// with an opaque after on every page, an empty one included. Rate limits
// answer 429 with X-Rate-Limit-Limit, -Remaining and -Reset (epoch seconds).
// Faults (5xx, 429, slow answers, undecodable pages) are queued by tests.
package oktafake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// LogEvent is an Okta LogEvent with the fields the tests use, named as in
// the LogEvent schema (LogActor, LogClient, LogOutcome, LogTarget,
// LogDebugContext).
type LogEvent struct {
	UUID           string        `json:"uuid"`
	Published      string        `json:"published"`
	EventType      string        `json:"eventType"`
	Version        string        `json:"version"`
	Severity       string        `json:"severity"`
	DisplayMessage string        `json:"displayMessage"`
	Actor          Actor         `json:"actor"`
	Client         Client        `json:"client"`
	Outcome        Outcome       `json:"outcome"`
	Target         []Target      `json:"target"`
	DebugContext   DebugContext  `json:"debugContext"`
	Transaction    *Transaction  `json:"transaction,omitempty"`
	Request        *struct{}     `json:"request,omitempty"`
	Authentication *AuthnContext `json:"authenticationContext,omitempty"`
}

// Actor is a LogActor.
type Actor struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	AlternateID string `json:"alternateId"`
	DisplayName string `json:"displayName"`
}

// Client is a LogClient.
type Client struct {
	ID        string `json:"id,omitempty"`
	IPAddress string `json:"ipAddress"`
	Zone      string `json:"zone"`
}

// Outcome is a LogOutcome.
type Outcome struct {
	Result string `json:"result"`
	Reason string `json:"reason,omitempty"`
}

// Target is a LogTarget.
type Target struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	AlternateID string `json:"alternateId"`
	DisplayName string `json:"displayName"`
}

// DebugContext is a LogDebugContext.
type DebugContext struct {
	DebugData map[string]any `json:"debugData"`
}

// Transaction is a LogTransaction.
type Transaction struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// AuthnContext is a LogAuthenticationContext.
type AuthnContext struct {
	ExternalSessionID string `json:"externalSessionId"`
}

// OAuthEvent builds an OAuth event of eventType by user for client, with the
// grant type in debugData where one is given.
func OAuthEvent(uuid, eventType string, published time.Time, user, client, grant, result string) LogEvent {
	debug := map[string]any{"requestId": "req-" + uuid}
	if grant != "" {
		debug["grantType"] = grant
	}
	return LogEvent{
		UUID: uuid, Published: published.UTC().Format("2006-01-02T15:04:05.000Z"), EventType: eventType,
		Version: "0", Severity: "INFO", DisplayMessage: "OAuth event",
		Actor:        Actor{ID: user, Type: "User", AlternateID: user + "@example.com", DisplayName: "Test User"},
		Client:       Client{ID: client, IPAddress: "203.0.113.7", Zone: "null"},
		Outcome:      Outcome{Result: result},
		Target:       []Target{{ID: client, Type: "AppInstance", AlternateID: "Test App", DisplayName: "Test App"}},
		DebugContext: DebugContext{DebugData: debug},
	}
}

// Server is the fake org.
type Server struct {
	Token string
	// PageDelay, when set, delays every answer (a slow API).
	PageDelay time.Duration
	// Overlap, when set, points the next link of a full page that many
	// events back: the next page starts with events already served, which
	// a client must drop by uuid.
	Overlap int

	mu       sync.Mutex
	events   []json.RawMessage
	faults   []func(w http.ResponseWriter) bool
	requests []string
	srv      *httptest.Server
}

// New starts a fake org on loopback.
func New(token string) *Server {
	s := &Server{Token: token}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the org URL (what pull.endpoint is set to).
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Client is an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Add persists events, in this order.
func (s *Server) Add(evs ...LogEvent) {
	for _, ev := range evs {
		b, err := json.Marshal(ev)
		if err != nil {
			panic(err)
		}
		s.AddRaw(string(b))
	}
}

// AddRaw persists one raw event as it is (a malformed one, for example).
func (s *Server) AddRaw(raw string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, json.RawMessage(raw))
}

// Requests returns the request URIs served so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// FailStatus queues an answer with code; a 429 carries the rate-limit
// headers with a reset resetIn from now.
func (s *Server) FailStatus(code int, resetIn time.Duration) {
	s.queue(func(w http.ResponseWriter) bool {
		if code == http.StatusTooManyRequests {
			w.Header().Set("X-Rate-Limit-Limit", "60")
			w.Header().Set("X-Rate-Limit-Remaining", "0")
			w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(time.Now().Add(resetIn).Unix(), 10))
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = fmt.Fprintf(w, `{"errorCode":"E0000047","errorSummary":"%s"}`, http.StatusText(code))
		return true
	})
}

// FailMalformedPage queues a 200 whose body is not a JSON array.
func (s *Server) FailMalformedPage() {
	s.queue(func(w http.ResponseWriter) bool {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[{"uuid":"x"`))
		return true
	})
}

// SlowNext delays the next answer by d, then serves it normally.
func (s *Server) SlowNext(d time.Duration) {
	s.queue(func(http.ResponseWriter) bool {
		time.Sleep(d)
		return false
	})
}

func (s *Server) queue(f func(w http.ResponseWriter) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// after is the opaque cursor: a position in the persistence order.
func after(pos int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("okta-fake:" + strconv.Itoa(pos)))
}

func position(a string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(a)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "okta-fake:"))
	return n, err == nil && n >= 0
}

func apiError(w http.ResponseWriter, code int, summary string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = fmt.Fprintf(w, `{"errorCode":"E0000001","errorSummary":%q}`, summary)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if s.PageDelay > 0 {
		time.Sleep(s.PageDelay)
	}
	s.mu.Lock()
	s.requests = append(s.requests, r.URL.RequestURI())
	var fault func(http.ResponseWriter) bool
	if len(s.faults) > 0 {
		fault, s.faults = s.faults[0], s.faults[1:]
	}
	s.mu.Unlock()
	if r.URL.Path != "/api/v1/logs" || r.Method != http.MethodGet {
		apiError(w, http.StatusNotFound, "Not found")
		return
	}
	if r.Header.Get("Authorization") != "SSWS "+s.Token {
		apiError(w, http.StatusUnauthorized, "Invalid token provided")
		return
	}
	if fault != nil && fault(w) {
		return
	}
	q := r.URL.Query()
	limit := 100
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			apiError(w, http.StatusBadRequest, "limit must be 1..1000")
			return
		}
		limit = n
	}
	if so := q.Get("sortOrder"); so != "" && so != "ASCENDING" {
		apiError(w, http.StatusBadRequest, "polling needs sortOrder=ASCENDING")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pos := 0
	if a := q.Get("after"); a != "" {
		p, ok := position(a)
		if !ok || p > len(s.events) {
			apiError(w, http.StatusBadRequest, "Invalid after")
			return
		}
		pos = p
	} else if since := q.Get("since"); since != "" {
		t, err := time.Parse(time.RFC3339, since)
		if err != nil {
			apiError(w, http.StatusBadRequest, "Invalid since")
			return
		}
		// A polling request's since bounds the persistence time: in this
		// fake every event was persisted at its published time or later,
		// so start at the first whose published time is not before since.
		pos = len(s.events)
		for i, raw := range s.events {
			var ev struct {
				Published string `json:"published"`
			}
			if json.Unmarshal(raw, &ev) == nil {
				if p, err := time.Parse(time.RFC3339Nano, ev.Published); err == nil && !p.Before(t) {
					pos = i
					break
				}
			}
		}
	}
	end := min(pos+limit, len(s.events))
	page := s.events[pos:end]
	next := end
	if s.Overlap > 0 && len(page) == limit && limit > s.Overlap {
		next -= s.Overlap
	}
	base := "http://" + r.Host + "/api/v1/logs"
	w.Header().Add("Link", fmt.Sprintf(`<%s?%s>; rel="self"`, base, r.URL.RawQuery))
	w.Header().Add("Link", fmt.Sprintf(`<%s?after=%s&limit=%d&sortOrder=ASCENDING>; rel="next"`, base, after(next), limit))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Rate-Limit-Limit", "60")
	w.Header().Set("X-Rate-Limit-Remaining", "59")
	w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10))
	_, _ = w.Write([]byte("["))
	for i, raw := range page {
		if i > 0 {
			_, _ = w.Write([]byte(","))
		}
		_, _ = w.Write(raw)
	}
	_, _ = w.Write([]byte("]"))
}
