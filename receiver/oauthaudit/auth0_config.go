package oauthaudit

import (
	"errors"
	"fmt"
)

// validateAuth0 checks what the Auth0 source needs: a take the logs API
// accepts, the Management API token from an auth extension rather than
// AuthPlane's settings, and a start by log_id rather than by time. Push
// alone is fine (a log stream without polling).
func (c *Config) validateAuth0() []error {
	p := c.Pull.Get()
	if p == nil {
		return nil
	}
	var errs []error
	if p.Limit > auth0MaxTake {
		errs = append(errs, fmt.Errorf("pull.limit: the Auth0 logs API serves at most %d logs a request, got %d", auth0MaxTake, p.Limit))
	}
	if p.BearerToken != "" {
		errs = append(errs, errors.New("pull.bearer_token: not used by source auth0; set pull.auth: {authenticator: oauth2client} (client credentials, endpoint_params audience https://<tenant>/api/v2/)"))
	}
	errs = append(errs, authPlaneFilters(p, SourceAuth0, "")...)
	if !p.StartAt.IsZero() {
		errs = append(errs, errors.New("pull.start_at: source auth0 pages by log_id; set pull.start_log_id"))
	}
	if p.InitialLookback != 0 {
		errs = append(errs, errors.New("pull.initial_lookback: source auth0 pages by log_id; set pull.start_log_id"))
	}
	return errs
}
