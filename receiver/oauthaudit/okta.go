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

// The Okta System Log API (developer.okta.com/docs/reference/api/system-log/):
// GET {org}/api/v1/logs as a polling request: since, sortOrder=ASCENDING and
// limit (at most 1000) on the first request, then always the URL of the
// Link rel="next" header, whose after parameter is opaque and which is sent
// even on a page without events. That URL is the stored cursor.
const (
	oktaLogsPath = "/api/v1/logs"
	oktaMaxLimit = 1000
)

// oktaSource is the Okta System Log as a pageSource.
type oktaSource struct {
	base  *url.URL // scheme://host[/prefix] of the org
	limit int
}

func newOktaSource(endpoint string, limit int) (*oktaSource, error) {
	u, err := apiBase(endpoint, oktaLogsPath)
	if err != nil {
		return nil, err
	}
	return &oktaSource{base: u, limit: limit}, nil
}

func (s *oktaSource) authHint() string {
	return "the Authorization header (SSWS <token>) in pull.headers, or pull.auth"
}

func (s *oktaSource) firstURL(start time.Time) string {
	u := *s.base
	u.Path += oktaLogsPath
	q := url.Values{}
	q.Set("since", start.UTC().Format(time.RFC3339))
	q.Set("sortOrder", "ASCENDING")
	q.Set("limit", strconv.Itoa(s.limit))
	u.RawQuery = q.Encode()
	return u.String()
}

// checkNext accepts only a next link to the configured org's logs endpoint:
// the credentials go with it.
func (s *oktaSource) checkNext(next string) error {
	if !onAPI(s.base, oktaLogsPath, next) {
		return errors.New("the Link rel=\"next\" URL is not the configured org's " + oktaLogsPath + "; not followed")
	}
	return nil
}

// parsePage reads a System Log answer: a JSON array of LogEvent objects, the
// next page in a Link header.
func (s *oktaSource) parsePage(body []byte, h http.Header) ([]json.RawMessage, string, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil {
		return nil, "", fmt.Errorf("undecodable System Log page: %s", jsonErrText(err))
	}
	return raws, nextLink(h.Values("Link")), nil
}

// nextLink returns the target of the rel="next" link of RFC 8288 Link header
// values ("<url>; rel=\"next\""), or "".
func nextLink(values []string) string {
	for _, v := range values {
		for len(v) > 0 {
			open := strings.IndexByte(v, '<')
			if open < 0 {
				break
			}
			end := strings.IndexByte(v[open:], '>')
			if end < 0 {
				break
			}
			target := v[open+1 : open+end]
			rest := v[open+end+1:]
			params := rest
			if i := strings.IndexByte(rest, '<'); i >= 0 {
				params = rest[:i]
			}
			for _, p := range strings.Split(params, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(p), ",")), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
					continue
				}
				for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(val), `"`)) {
					if strings.EqualFold(rel, "next") {
						return target
					}
				}
			}
			v = rest
		}
	}
	return ""
}
