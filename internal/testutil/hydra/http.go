package hydra

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// noRedirect is a browser-less user agent: it hands every redirect back to
// the driver, which follows it itself.
func noRedirect(jar http.CookieJar) *http.Client {
	return &http.Client{
		Timeout:       15 * time.Second,
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Error is a response other than the one a step expected: the request's
// method and path, the HTTP status and the OAuth error code (RFC 6749 5.2
// `error`), never a URL query, a body or a description that could echo a
// value.
type Error struct {
	Method, Path string
	Status       int
	Code         string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d %s", e.Method, e.Path, e.Status, e.Code)
}

// call sends req and decodes a JSON body into out when the status is want.
// Any other status is an *Error with the body's `error` member.
func call(c *http.Client, req *http.Request, want int, out any) (*http.Response, error) {
	resp, err := c.Do(req)
	if err != nil {
		// The transport error may name the URL, query included.
		return nil, fmt.Errorf("%s %s: request failed", req.Method, req.URL.Path)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the response: %w", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode != want {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(body, &e)
		return resp, &Error{Method: req.Method, Path: req.URL.Path, Status: resp.StatusCode, Code: e.Error}
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return resp, fmt.Errorf("%s %s: decoding the response: %w", req.Method, req.URL.Path, err)
		}
	}
	return resp, nil
}

// newRequest builds a request; a url.Values body is form-encoded, anything
// else non-nil is JSON.
func newRequest(method, u string, body any) (*http.Request, error) {
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		rd, ctype = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("%s: bad URL", method)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// basicAuth sets client_secret_basic credentials: the client id and secret
// form-encoded, then HTTP Basic (RFC 6749 2.3.1; fosite's client
// authentication decodes them with url.QueryUnescape).
func basicAuth(req *http.Request, id, secret string) {
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
}
