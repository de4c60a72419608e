package oauthaudit

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// httpStatusError is a non-2xx answer of an audit API.
type httpStatusError struct {
	code       int
	retryAfter time.Duration
	// hint names the setting to check on 401/403.
	hint string
}

func (e *httpStatusError) Error() string {
	msg := fmt.Sprintf("audit API answered %d %s", e.code, http.StatusText(e.code))
	if e.code == http.StatusUnauthorized || e.code == http.StatusForbidden {
		hint := e.hint
		if hint == "" {
			hint = "pull.bearer_token"
		}
		msg += " (check " + hint + ")"
	}
	return msg
}

// get fetches one page of an audit API: the shared HTTP half of every pull
// source. It returns the body of a 2xx answer, bounded by maxPageBytes, and
// its header. A non-2xx answer is an *httpStatusError carrying the delay the
// server asked for (Retry-After, or a vendor rate-limit reset header); 401
// and 403 are counted as auth failures. The page is counted once read.
func (p *puller) get(ctx context.Context, u string) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, http.NoBody)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	if p.cfg.BearerToken != "" {
		req.Header.Set("Authorization", "Bearer "+string(p.cfg.BearerToken))
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			p.tel.ReceiverOauthAuditAuthFailures.Add(ctx, 1, p.sourceSet())
		}
		now := p.now()
		delay := parseRetryAfter(resp.Header.Get("Retry-After"), now)
		delay = max(delay, parseRateLimitReset(resp.Header.Get(headerRateLimitReset), now),
			parseRateLimitReset(resp.Header.Get(headerRateLimitResetAuth0), now))
		return nil, nil, &httpStatusError{code: resp.StatusCode, retryAfter: delay, hint: p.authHint()}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPageBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("reading an audit page: %w", err)
	}
	if len(body) > maxPageBytes {
		return nil, nil, fmt.Errorf("an audit page is larger than %d bytes; lower pull.limit", maxPageBytes)
	}
	p.tel.ReceiverOauthAuditPages.Add(ctx, 1, p.sourceSet())
	return body, resp.Header, nil
}

// headerRateLimitReset is the rate-limit header of Okta (and others that
// follow it): the Unix time, in seconds, at which the limit resets
// (developer.okta.com/docs/reference/rl-best-practices/).
const headerRateLimitReset = "X-Rate-Limit-Reset"

// headerRateLimitResetAuth0 is Auth0's spelling of the same header, also in
// epoch seconds (auth0.com/docs/troubleshoot/customer-support/
// operational-policies/rate-limit-policy: x-ratelimit-limit, -remaining,
// -reset).
const headerRateLimitResetAuth0 = "X-RateLimit-Reset"

// parseRetryAfter reads delay-seconds or an HTTP date; 0 when absent or bad.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if s, err := strconv.Atoi(v); err == nil {
		d = time.Duration(max(s, 0)) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}

// parseRateLimitReset reads an epoch-seconds reset time into a delay from
// now; 0 when absent, bad or past, at most maxRetryAfter.
func parseRateLimitReset(v string, now time.Time) time.Duration {
	secs, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || secs <= 0 {
		return 0
	}
	// The reset is a whole second: wait until it has passed.
	d := time.Unix(secs, 0).Sub(now) + time.Second
	return min(max(d, 0), maxRetryAfter)
}
