// Package keycloakfake is an in-process Keycloak server for tests: the two
// parts of it the oauth_audit receiver talks to, as Keycloak's source
// (github.com/keycloak/keycloak) says they behave. Paths below are files of
// that repository.
//
//   - POST /realms/{realm}/protocol/openid-connect/token, the
//     client_credentials grant of a confidential client with a service
//     account (protocol/oidc/grants/ClientCredentialsGrantType.java; client
//     authentication by client_secret_basic or client_secret_post,
//     authentication/authenticators/client/ClientIdAndSecretAuthenticator.java).
//     The answer is AccessTokenResponse: access_token, expires_in,
//     refresh_expires_in 0, token_type "Bearer", not-before-policy, scope.
//     Bad client credentials answer 401 unauthorized_client.
//   - GET /admin/realms/{realm}/events (services/resources/admin/
//     RealmAdminResource.java getEvents): type (repeated), client, user,
//     ipAddress, dateFrom, dateTo, first, max (default 100,
//     models/Constants.java DEFAULT_MAX_RESULTS), direction. The events
//     are ordered by time only (model/jpa/.../events/jpa/JpaEventQuery.java:
//     cq.orderBy(time)), newest first unless direction=asc; events of equal
//     time come in no defined order, and this fake shuffles them on every
//     request. first and max are applied after the order
//     (PaginationUtils.paginateQuery).
//
// Two releases (Release): Current (26.2 and later, keycloak#36600): an event
// carries its id, dateFrom / dateTo take yyyy-MM-dd (UTC days:
// services/util/DateUtil.java toStartOfDay / toEndOfDay) or epoch
// milliseconds, both inclusive, and direction asc|desc (anything else 400).
// Legacy (before 26.2): no id, no direction (ignored, as JAX-RS ignores an
// unknown query parameter), dates yyyy-MM-dd only in the server's time zone
// (SimpleDateFormat; anything else answers 400 "Invalid value for
// 'Date(From)', expected format is yyyy-MM-dd"), dateTo the start of its day
// (JpaEventQuery.toDate before 26.0, keycloak#30414).
//
// The admin API authenticates the bearer token as AdminRoot does
// (services/resources/admin/AdminRoot.java authenticateRealmAdminRequest:
// no token, an unknown or expired one, or one issued before the realm's
// not-before policy answers 401 with WWW-Authenticate: Bearer).
// Keycloak has no rate limiter of its own: a 429 (with Retry-After) or a
// 5xx comes from what stands in front of it, and tests queue them.
package keycloakfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// Release selects the events API's behaviour.
type Release int

const (
	// Current is Keycloak 26.2 and later.
	Current Release = iota
	// Legacy is a release before 26.2.
	Legacy
)

// Event is Keycloak's EventRepresentation
// (core/src/main/java/org/keycloak/representations/idm/EventRepresentation.java),
// serialized without null fields. ID is not served by a Legacy server.
type Event struct {
	ID        string            `json:"id,omitempty"`
	Time      int64             `json:"time"`
	Type      string            `json:"type"`
	RealmID   string            `json:"realmId,omitempty"`
	ClientID  string            `json:"clientId,omitempty"`
	UserID    string            `json:"userId,omitempty"`
	SessionID string            `json:"sessionId,omitempty"`
	IPAddress string            `json:"ipAddress,omitempty"`
	Error     string            `json:"error,omitempty"`
	Details   map[string]string `json:"details,omitempty"`
}

// Server is the fake Keycloak.
type Server struct {
	Realm                  string
	ClientID, ClientSecret string
	// ExpiresIn is the expires_in of issued tokens, in seconds (the
	// realm's access token lifespan; Keycloak's default is 300).
	ExpiresIn int
	// Release is the events API's behaviour (default Current).
	Release Release
	// Zone is a Legacy server's time zone (default UTC).
	Zone *time.Location

	mu       sync.Mutex
	events   []Event
	raws     map[int]string // index in events -> a raw event served as it is
	tokens   map[string]token
	notAfter time.Time // the realm's not-before policy
	issued   int
	faults   []func(w http.ResponseWriter) bool
	requests []string
	// afterPage runs once each events page is selected, before it is
	// written: what it adds arrives between two pages of a client.
	afterPage func()
	srv       *httptest.Server
}

type token struct {
	iat, exp time.Time
}

// New starts a fake Keycloak on loopback with realm, whose confidential
// client clientID / clientSecret has a service account allowed to view
// events (realm-management view-events).
func New(realm, clientID, clientSecret string) *Server {
	s := &Server{Realm: realm, ClientID: clientID, ClientSecret: clientSecret, ExpiresIn: 300,
		tokens: map[string]token{}, raws: map[int]string{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the server's base URL (what pull.endpoint is set to).
func (s *Server) URL() string { return s.srv.URL }

// TokenURL is the realm's token endpoint (the oauth2client extension's
// token_url).
func (s *Server) TokenURL() string {
	return s.srv.URL + "/realms/" + s.Realm + "/protocol/openid-connect/token"
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// NewID is a random UUID, the shape of EventBuilder's event ids.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Add stores events as Keycloak's event store does once a request's
// transaction committed (their time was stamped before: an event may become
// visible after newer ones).
func (s *Server) Add(evs ...Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, evs...)
}

// AddRaw stores a raw event at time ms, served as it is (a malformed one).
func (s *Server) AddRaw(ms int64, raw string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.raws[len(s.events)] = raw
	s.events = append(s.events, Event{Time: ms})
}

// Requests returns the request URIs of GET .../events served so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// TokensIssued is how many tokens the token endpoint issued.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// PushNotBefore sets the realm's not-before policy to now (admin console,
// Sessions, Revocation, "Set to now"): every token issued so far is refused
// while its holder still thinks it valid.
func (s *Server) PushNotBefore() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notAfter = time.Now()
}

// SetAfterPage sets f (nil: none) to run once each events page is
// selected, before it is written: events f adds arrive while a client
// pages.
func (s *Server) SetAfterPage(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.afterPage = f
}

// FailStatus queues an answer with code; retryAfter, when positive, is
// sent as Retry-After seconds.
func (s *Server) FailStatus(code int, retryAfter time.Duration) {
	s.queue(func(w http.ResponseWriter) bool {
		if retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter/time.Second)))
		}
		writeError(w, code, http.StatusText(code))
		return true
	})
}

// FailMalformedPage queues a 200 whose body is not a JSON array.
func (s *Server) FailMalformedPage() {
	s.queue(func(w http.ResponseWriter) bool {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[{"id":"x","time":`))
		return true
	})
}

func (s *Server) queue(f func(w http.ResponseWriter) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// writeError writes Keycloak's error shape for a WebApplicationException
// (services/error/KeycloakErrorHandler.java: {"error": ...}).
func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	b, _ := json.Marshal(map[string]string{"error": msg})
	_, _ = w.Write(b)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/realms/"+s.Realm+"/protocol/openid-connect/token" && r.Method == http.MethodPost:
		s.token(w, r)
	case r.URL.Path == "/admin/realms/"+s.Realm+"/events" && r.Method == http.MethodGet:
		s.eventsPage(w, r)
	default:
		writeError(w, http.StatusNotFound, "Resource not found")
	}
}
