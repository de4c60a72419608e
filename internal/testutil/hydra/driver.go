package hydra

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Driver plays every party of OAuth against one Hydra: the client (over the
// public API), the login and consent app and the resource server (over the
// admin API). It is not safe for concurrent use.
type Driver struct {
	srv     *Server
	http    *http.Client
	meta    metadata
	truth   Truth
	secrets []Secret
}

// metadata is the part of the OpenID Provider metadata the driver uses
// (Hydra's oauth2/handler.go, OpenID Connect Discovery 1.0 names).
type metadata struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	RevocationEndpoint    string `json:"revocation_endpoint"`
	RegistrationEndpoint  string `json:"registration_endpoint"`
}

// NewDriver returns a driver for s.
func NewDriver(s *Server) *Driver { return &Driver{srv: s, http: noRedirect(nil)} }

// Truth is what the driver caused so far.
func (d *Driver) Truth() Truth { return d.truth }

// Discover reads the OpenID Provider metadata (GET
// /.well-known/openid-configuration, Hydra's oauth2/handler.go) and checks
// that every endpoint the driver uses is advertised.
func (d *Driver) Discover() error {
	req, err := newRequest(http.MethodGet, d.srv.PublicURL+"/.well-known/openid-configuration", nil)
	if err != nil {
		return err
	}
	var m metadata
	if _, err := call(d.http, req, http.StatusOK, &m); err != nil {
		return err
	}
	for name, v := range map[string]string{
		"authorization_endpoint": m.AuthorizationEndpoint, "token_endpoint": m.TokenEndpoint,
		"revocation_endpoint": m.RevocationEndpoint, "registration_endpoint": m.RegistrationEndpoint,
	} {
		if v == "" {
			return fmt.Errorf("discovery: no %s (is dynamic client registration enabled?)", name)
		}
	}
	d.meta = m
	d.truth.Discovery++
	return nil
}

// Client is a client registered by the driver.
type Client struct {
	ID          string // not secret
	RedirectURI string
	secret      string
}

// Register registers a confidential client (client_secret_basic) through
// dynamic client registration (POST /oauth2/register, RFC 7591; Hydra's
// client/handler.go CreateDynamicClient: 201 with client_id, client_secret
// and registration_access_token). Discover first.
func (d *Driver) Register(name string, grantTypes []string, scope string) (*Client, error) {
	c := &Client{RedirectURI: "http://127.0.0.1/" + name + "/callback"}
	body := map[string]any{
		"client_name":                name,
		"grant_types":                grantTypes,
		"scope":                      scope,
		"token_endpoint_auth_method": "client_secret_basic",
	}
	if containsString(grantTypes, "authorization_code") {
		body["response_types"] = []string{"code"}
		body["redirect_uris"] = []string{c.RedirectURI}
	}
	req, err := newRequest(http.MethodPost, d.meta.RegistrationEndpoint, body)
	if err != nil {
		return nil, err
	}
	var out struct {
		ClientID                string `json:"client_id"`
		ClientSecret            string `json:"client_secret"`
		RegistrationAccessToken string `json:"registration_access_token"`
	}
	if _, err := call(d.http, req, http.StatusCreated, &out); err != nil {
		return nil, err
	}
	if out.ClientID == "" || out.ClientSecret == "" {
		return nil, fmt.Errorf("register %s: no client_id or client_secret in the response", name)
	}
	c.ID, c.secret = out.ClientID, out.ClientSecret
	d.keep("client_secret", out.ClientSecret)
	d.keep("registration_access_token", out.RegistrationAccessToken)
	d.truth.Registrations++
	return c, nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Tokens is a token response (fosite's access response: access_token,
// refresh_token, id_token).
type Tokens struct {
	access, refresh, id string
}

// HasRefresh reports whether the response carried a refresh token.
func (t *Tokens) HasRefresh() bool { return t.refresh != "" }

// token posts a grant to the token endpoint (POST /oauth2/token, fosite's
// access request and response) with the client's credentials; a 200 is a
// token response, whose values are kept.
func (d *Driver) token(c *Client, form url.Values) (*Tokens, error) {
	req, err := newRequest(http.MethodPost, d.meta.TokenEndpoint, form)
	if err != nil {
		return nil, err
	}
	basicAuth(req, c.ID, c.secret)
	var out struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		IDToken      string `json:"id_token"`
	}
	if _, err = call(d.http, req, http.StatusOK, &out); err != nil {
		return nil, fmt.Errorf("%s grant: %w", form.Get("grant_type"), err)
	}
	if out.AccessToken == "" {
		return nil, fmt.Errorf("%s grant: no access_token", form.Get("grant_type"))
	}
	d.keep("access_token", out.AccessToken)
	d.keep("refresh_token", out.RefreshToken)
	d.keep("id_token", out.IDToken)
	return &Tokens{access: out.AccessToken, refresh: out.RefreshToken, id: out.IDToken}, nil
}

// refused posts a grant that Hydra must refuse with HTTP 400 and the OAuth
// error code want.
func (d *Driver) refused(c *Client, form url.Values, want string) error {
	_, err := d.token(c, form)
	if err == nil {
		return fmt.Errorf("%s grant: accepted, want HTTP 400 %s", form.Get("grant_type"), want)
	}
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusBadRequest || e.Code != want {
		return fmt.Errorf("%w, want HTTP 400 %s", err, want)
	}
	return nil
}
