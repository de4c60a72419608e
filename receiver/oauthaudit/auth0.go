package oauthaudit

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The Auth0 Management API's logs by checkpoint
// (auth0.com/docs/deploy-monitor/logs/retrieve-log-events-using-mgmt-api):
// GET {tenant}/api/v2/logs?from=<log_id>&take=N answers the logs newer than
// log_id, ordered by log_id, at most 100 a request; only the first request
// is built by hand, every later one is the Link rel="next" URL of the
// previous answer, which on an empty answer is the request's own URL. That
// URL is the stored cursor.
const (
	auth0LogsPath = "/api/v2/logs"
	auth0MaxTake  = 100
)

// auth0Source is the Auth0 Management API's log checkpoint as a pageSource.
type auth0Source struct {
	base *url.URL // scheme://host[/prefix] of the tenant
	take int
	// from is the log_id a first start continues after; empty: the newest
	// take logs, then onwards.
	from string
}

func newAuth0Source(endpoint string, take int, from string) (*auth0Source, error) {
	u, err := apiBase(endpoint, auth0LogsPath)
	if err != nil {
		return nil, err
	}
	u.Path = strings.TrimSuffix(u.Path, "/api/v2")
	return &auth0Source{base: u, take: take, from: from}, nil
}

func (s *auth0Source) authHint() string {
	return "pull.auth (oauth2client with the Management API audience and the read:logs scope)"
}

// firstURL ignores start: Auth0 pages by log_id, not by time. Without a
// configured pull.start_log_id the request has no from, and Auth0 answers
// the most recent logs; the pull continues after the newest of them.
func (s *auth0Source) firstURL(time.Time) string {
	return s.urlFrom(s.from)
}

func (s *auth0Source) urlFrom(from string) string {
	u := *s.base
	u.Path += auth0LogsPath
	q := url.Values{}
	if from != "" {
		q.Set("from", from)
	}
	q.Set("take", strconv.Itoa(s.take))
	u.RawQuery = q.Encode()
	return u.String()
}

// checkNext accepts only a URL of the configured tenant's logs endpoint:
// the Management API token goes with it.
func (s *auth0Source) checkNext(next string) error {
	if !onAPI(s.base, auth0LogsPath, next) {
		return errors.New("the next logs URL is not the configured tenant's " + auth0LogsPath + "; not followed")
	}
	return nil
}

// parsePage reads a logs answer: a JSON array of log objects. The next page
// is the Link rel="next" URL; when the answer has none, it is built from the
// greatest log_id of the page (from=<log_id>), and an empty page without one
// stays where it is.
func (s *auth0Source) parsePage(body []byte, h http.Header) ([]json.RawMessage, string, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil {
		return nil, "", fmt.Errorf("undecodable Auth0 logs page: %s", jsonErrText(err))
	}
	if next := nextLink(h.Values("Link")); next != "" {
		return raws, next, nil
	}
	if last := maxLogID(raws); last != "" {
		return raws, s.urlFrom(last), nil
	}
	return raws, "", nil
}

// maxLogID is the greatest log_id of the raws that carry one. Auth0 log ids
// are decimal strings of one length that grow with time: the longer is the
// greater, then the lexically greater.
func maxLogID(raws []json.RawMessage) string {
	best := ""
	for _, raw := range raws {
		var l struct {
			LogID string `json:"log_id"`
		}
		if json.Unmarshal(raw, &l) != nil || l.LogID == "" {
			continue
		}
		if len(l.LogID) > len(best) || len(l.LogID) == len(best) && l.LogID > best {
			best = l.LogID
		}
	}
	return best
}

func (s *auth0Source) parseEvent(raw json.RawMessage) (pagedEvent, error) {
	return parseAuth0Log(raw)
}
