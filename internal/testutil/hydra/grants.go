package hydra

import (
	"fmt"
	"net/http"
	"net/url"
)

// The OAuth error code Hydra answers each refused grant with (fosite's
// errors.go: ErrInvalidGrant).
const invalidGrant = "invalid_grant"

func (g *Grant) form(verifier string) url.Values {
	return url.Values{
		"grant_type": {"authorization_code"}, "code": {g.code},
		"redirect_uri": {g.client.RedirectURI}, "code_verifier": {verifier},
	}
}

// Exchange redeems the code with its verifier.
func (d *Driver) Exchange(g *Grant) (*Tokens, error) {
	t, err := d.token(g.client, g.form(g.verifier))
	if err != nil {
		return nil, err
	}
	d.truth.CodeExchanges++
	return t, nil
}

// ReplayCode presents an already-redeemed code again (with its right
// verifier): fosite's authorize code handler refuses it ("The authorization
// code has already been used.") and revokes the tokens issued for it.
func (d *Driver) ReplayCode(g *Grant) error {
	if err := d.refused(g.client, g.form(g.verifier), invalidGrant); err != nil {
		return fmt.Errorf("code replay: %w", err)
	}
	d.truth.CodeReplays++
	return nil
}

// ExchangeWrongVerifier redeems a fresh code with another verifier: fosite's
// PKCE handler refuses it ("The PKCE code challenge did not match the code
// verifier.").
func (d *Driver) ExchangeWrongVerifier(g *Grant) error {
	wrong, err := randomString()
	if err != nil {
		return err
	}
	d.keep("code_verifier", wrong)
	if err := d.refused(g.client, g.form(wrong), invalidGrant); err != nil {
		return fmt.Errorf("wrong PKCE verifier: %w", err)
	}
	d.truth.PKCEMismatches++
	return nil
}

func refreshForm(t *Tokens) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {t.refresh}}
}

// Refresh presents t's refresh token; Hydra rotates it away.
func (d *Driver) Refresh(c *Client, t *Tokens) (*Tokens, error) {
	if !t.HasRefresh() {
		return nil, fmt.Errorf("refresh: no refresh token (was offline_access granted?)")
	}
	next, err := d.token(c, refreshForm(t))
	if err != nil {
		return nil, err
	}
	d.truth.Refreshes++
	return next, nil
}

// ReuseRefresh presents t's refresh token after a refresh rotated it away:
// fosite's refresh handler refuses it and revokes the token family.
func (d *Driver) ReuseRefresh(c *Client, t *Tokens) error {
	if err := d.refused(c, refreshForm(t), invalidGrant); err != nil {
		return fmt.Errorf("refresh-token reuse: %w", err)
	}
	d.truth.RefreshReuses++
	return nil
}

// ClientCredentials asks for a token for the client itself.
func (d *Driver) ClientCredentials(c *Client, scope string) (*Tokens, error) {
	t, err := d.token(c, url.Values{"grant_type": {"client_credentials"}, "scope": {scope}})
	if err != nil {
		return nil, err
	}
	d.truth.ClientCredentials++
	return t, nil
}

// RevokeRefresh revokes t's refresh token (POST /oauth2/revoke, RFC 7009:
// token and token_type_hint, client authentication; fosite's revocation
// handler answers 200 with an empty body).
func (d *Driver) RevokeRefresh(c *Client, t *Tokens) error {
	req, err := newRequest(http.MethodPost, d.meta.RevocationEndpoint, url.Values{
		"token": {t.refresh}, "token_type_hint": {"refresh_token"},
	})
	if err != nil {
		return err
	}
	basicAuth(req, c.ID, c.secret)
	if _, err := call(d.http, req, http.StatusOK, nil); err != nil {
		return fmt.Errorf("revocation: %w", err)
	}
	d.truth.Revocations++
	return nil
}

// Introspect asks Hydra about t's access token as a resource server does
// (POST /admin/oauth2/introspect, RFC 7662: the form parameter token; Hydra's
// oauth2/handler.go introspectOAuth2Token) and expects it active.
func (d *Driver) Introspect(t *Tokens) error {
	req, err := newRequest(http.MethodPost, d.srv.AdminURL+"/admin/oauth2/introspect", url.Values{"token": {t.access}})
	if err != nil {
		return err
	}
	var out struct {
		Active bool `json:"active"`
	}
	if _, err := call(d.http, req, http.StatusOK, &out); err != nil {
		return fmt.Errorf("introspection: %w", err)
	}
	if !out.Active {
		return fmt.Errorf("introspection: the access token is not active")
	}
	d.truth.Introspections++
	return nil
}
