// Package auth0fake is an in-process Auth0 tenant for tests: the two parts
// of it the oauth_audit receiver talks to, as Auth0 documents them.
//
//   - POST /oauth/token, the client-credentials grant of a machine-to-machine
//     application for the Management API (auth0.com/docs/secure/tokens/
//     access-tokens/management-api-access-tokens): client_id and
//     client_secret (form fields or HTTP Basic), audience
//     https://<tenant>/api/v2/; the answer is {access_token, token_type:
//     "Bearer", expires_in, scope}.
//   - GET /api/v2/logs by checkpoint (auth0.com/docs/deploy-monitor/logs/
//     retrieve-log-events-using-mgmt-api): from=<log_id> and take (at most
//     100) answer the logs newer than log_id, ordered by log_id, with a
//     Link rel="next" header; on an empty answer the next URL is the
//     request's own. The documentation does not say what a request without
//     from answers beyond "the most recent logs": this fake answers the
//     newest take logs, newest first, without a Link header, so a client
//     can rely on neither.
//
// A request with a missing, unknown or expired token answers 401; rate
// limits answer 429 with x-ratelimit-limit, -remaining and -reset (epoch
// seconds; auth0.com/docs/troubleshoot/customer-support/operational-policies/
// rate-limit-policy). Log fields are those of the Management API's Log
// object. Faults (5xx, 429, undecodable pages) are queued by tests.
package auth0fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Log is an Auth0 log with the fields the tests use (schema Log).
type Log struct {
	LogID       string         `json:"log_id"`
	Date        string         `json:"date"`
	Type        string         `json:"type"`
	Description string         `json:"description"`
	ClientID    string         `json:"client_id,omitempty"`
	ClientName  string         `json:"client_name,omitempty"`
	IP          string         `json:"ip,omitempty"`
	UserAgent   string         `json:"user_agent,omitempty"`
	UserID      string         `json:"user_id,omitempty"`
	UserName    string         `json:"user_name,omitempty"`
	Hostname    string         `json:"hostname,omitempty"`
	Audience    string         `json:"audience,omitempty"`
	Scope       string         `json:"scope,omitempty"`
	IsMobile    bool           `json:"isMobile"`
	Details     map[string]any `json:"details,omitempty"`
}

// LogID is the seq-th log id: Auth0 log ids are 56 decimal digits that grow
// with time.
func LogID(seq int) string { return fmt.Sprintf("90020260101%045d", seq) }

// OAuthLog builds a log of type typ for user and client, dated at.
func OAuthLog(seq int, typ string, at time.Time, user, client string) Log {
	return Log{
		LogID: LogID(seq), Date: at.UTC().Format("2006-01-02T15:04:05.000Z"), Type: typ,
		Description: "", ClientID: client, ClientName: "Test App", IP: "203.0.113.9",
		UserAgent: "Chrome 120.0.0 / Linux 0.0.0", UserID: user, UserName: user + "@example.com",
		Hostname: "tenant.example.auth0.com", Audience: "https://api.example.com",
		Details: map[string]any{"session_id": "sess-" + strconv.Itoa(seq), "completedAt": at.UnixMilli()},
	}
}

// Server is the fake tenant.
type Server struct {
	ClientID, ClientSecret string
	// ExpiresIn is the expires_in of issued tokens, in seconds.
	ExpiresIn int

	mu       sync.Mutex
	logs     []stored
	tokens   map[string]bool // token -> still valid
	issued   int
	faults   []func(w http.ResponseWriter) bool
	requests []string
	srv      *httptest.Server
}

type stored struct {
	id  string
	raw json.RawMessage
}

// New starts a fake tenant on loopback that issues tokens to the
// machine-to-machine application clientID / clientSecret.
func New(clientID, clientSecret string) *Server {
	s := &Server{ClientID: clientID, ClientSecret: clientSecret, ExpiresIn: 86400, tokens: map[string]bool{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the tenant URL (what pull.endpoint is set to).
func (s *Server) URL() string { return s.srv.URL }

// TokenURL is the token endpoint of the oauth2client extension.
func (s *Server) TokenURL() string { return s.srv.URL + "/oauth/token" }

// Audience is the Management API audience of the tenant.
func (s *Server) Audience() string { return s.srv.URL + "/api/v2/" }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Add stores logs, in this order (their log ids must grow).
func (s *Server) Add(logs ...Log) {
	for _, l := range logs {
		b, err := json.Marshal(l)
		if err != nil {
			panic(err)
		}
		s.AddRaw(l.LogID, string(b))
	}
}

// AddRaw stores one raw log under id as it is (a malformed one, for
// example).
func (s *Server) AddRaw(id, raw string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logs = append(s.logs, stored{id: id, raw: json.RawMessage(raw)})
}

// Requests returns the request URIs of GET /api/v2/logs served so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// TokensIssued is how many tokens /oauth/token issued.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// ExpireTokens makes every token issued so far expired for the API (a token
// the tenant no longer accepts while its holder still thinks it valid).
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.tokens {
		s.tokens[t] = false
	}
}

// FailStatus queues an answer with code; a 429 carries the rate-limit
// headers with a reset resetIn from now.
func (s *Server) FailStatus(code int, resetIn time.Duration) {
	s.queue(func(w http.ResponseWriter) bool {
		if code == http.StatusTooManyRequests {
			w.Header().Set("X-RateLimit-Limit", "50")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(resetIn).Unix(), 10))
		}
		apiError(w, code, http.StatusText(code))
		return true
	})
}

// FailMalformedPage queues a 200 whose body is not a JSON array.
func (s *Server) FailMalformedPage() {
	s.queue(func(w http.ResponseWriter) bool {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[{"log_id":"x"`))
		return true
	})
}

func (s *Server) queue(f func(w http.ResponseWriter) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// apiError writes the Management API's error shape.
func apiError(w http.ResponseWriter, code int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = fmt.Fprintf(w, `{"statusCode":%d,"error":%q,"message":%q}`, code, http.StatusText(code), message)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/oauth/token" && r.Method == http.MethodPost:
		s.token(w, r)
	case r.URL.Path == "/api/v2/logs" && r.Method == http.MethodGet:
		s.logsPage(w, r)
	default:
		apiError(w, http.StatusNotFound, "Not Found")
	}
}

// token is the client-credentials grant.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	switch {
	case r.PostForm.Get("grant_type") != "client_credentials":
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	case id != s.ClientID || secret != s.ClientSecret:
		oauthError(w, http.StatusUnauthorized, "access_denied")
		return
	case r.PostForm.Get("audience") != s.Audience():
		oauthError(w, http.StatusForbidden, "access_denied")
		return
	}
	s.mu.Lock()
	s.issued++
	tok := "mgmt-token-" + strconv.Itoa(s.issued)
	s.tokens[tok] = true
	expiresIn := s.ExpiresIn
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": tok, "token_type": "Bearer", "expires_in": expiresIn, "scope": "read:logs",
	})
}

func oauthError(w http.ResponseWriter, code int, e string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = fmt.Fprintf(w, `{"error":%q,"error_description":"fake"}`, e)
}

func (s *Server) logsPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.URL.RequestURI())
	var fault func(http.ResponseWriter) bool
	if len(s.faults) > 0 {
		fault, s.faults = s.faults[0], s.faults[1:]
	}
	auth := r.Header.Get("Authorization")
	valid := len(auth) > len("Bearer ") && auth[:len("Bearer ")] == "Bearer " && s.tokens[auth[len("Bearer "):]]
	s.mu.Unlock()
	if !valid {
		apiError(w, http.StatusUnauthorized, "Expired token received for JSON Web Token validation")
		return
	}
	if fault != nil && fault(w) {
		return
	}
	q := r.URL.Query()
	take := 50
	if t := q.Get("take"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 || n > 100 {
			apiError(w, http.StatusBadRequest, "Query validation error: take must be 1..100")
			return
		}
		take = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var page []json.RawMessage
	w.Header().Set("Content-Type", "application/json")
	from := q.Get("from")
	if from == "" {
		for i := len(s.logs) - 1; i >= 0 && len(page) < take; i-- {
			page = append(page, s.logs[i].raw)
		}
	} else {
		last := from
		for _, l := range s.logs {
			if len(page) == take {
				break
			}
			if newer(l.id, from) {
				page = append(page, l.raw)
				last = l.id
			}
		}
		next := r.URL.RawQuery
		if last != from {
			v := url.Values{}
			v.Set("from", last)
			v.Set("take", strconv.Itoa(take))
			next = v.Encode()
		}
		w.Header().Set("Link", fmt.Sprintf(`<http://%s/api/v2/logs?%s>; rel="next"`, r.Host, next))
	}
	if page == nil {
		page = []json.RawMessage{}
	}
	_ = json.NewEncoder(w).Encode(page)
}

// newer compares log ids: the longer is the newer, then the lexically
// greater.
func newer(a, b string) bool {
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	return a > b
}

// StreamRecord is one record of a custom-webhook log stream.
type StreamRecord struct {
	LogID string `json:"log_id"`
	Data  Log    `json:"data"`
}

// Content formats of a custom-webhook log stream (the sink's
// httpContentFormat).
const (
	JSONLines  = "JSONLINES"
	JSONArray  = "JSONARRAY"
	JSONObject = "JSONOBJECT"
)

// StreamBody is a log stream delivery of logs in format (JSONObject takes
// exactly one log).
func StreamBody(format string, logs ...Log) []byte {
	recs := make([]StreamRecord, len(logs))
	for i, l := range logs {
		recs[i] = StreamRecord{LogID: l.LogID, Data: l}
	}
	var out []byte
	switch format {
	case JSONArray:
		out, _ = json.Marshal(recs)
	case JSONObject:
		if len(recs) != 1 {
			panic("auth0fake: JSONOBJECT carries one log")
		}
		out, _ = json.Marshal(recs[0])
	default:
		for _, r := range recs {
			b, _ := json.Marshal(r)
			out = append(append(out, b...), '\n')
		}
	}
	return out
}
