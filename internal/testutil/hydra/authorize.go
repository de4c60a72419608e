package hydra

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// Grant is an authorization code obtained by Authorize, with its PKCE
// verifier.
type Grant struct {
	client         *Client
	code, verifier string
}

// Subject is the user the driver logs in.
const Subject = "hydra-e2e-user"

// maxRedirects bounds the redirects of one visit to the authorization
// endpoint.
const maxRedirects = 5

func randomString() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Authorize runs the front channel of an authorization code flow with PKCE
// (S256) for c, as a browser would with a fresh cookie jar, and plays the
// login and consent app through Hydra's admin API:
//
//  1. GET /oauth2/auth (client_id, response_type=code, scope, redirect_uri,
//     state, code_challenge, code_challenge_method): 302 to urls.login with
//     login_challenge;
//  2. GET and PUT /admin/oauth2/auth/requests/login[/accept]?login_challenge
//     (Hydra's consent/handler.go: acceptOAuth2LoginRequest takes subject and
//     answers redirect_to), then GET that redirect_to (/oauth2/auth again
//     with login_verifier): 302 to urls.consent with consent_challenge;
//  3. GET and PUT /admin/oauth2/auth/requests/consent[/accept]?consent_challenge
//     (acceptOAuth2ConsentRequest takes grant_scope and
//     grant_access_token_audience), then GET its redirect_to (/oauth2/auth
//     with consent_verifier): 302 to the redirect URI with code and state.
func (d *Driver) Authorize(c *Client, scope string) (*Grant, error) {
	verifier, err := randomString()
	if err != nil {
		return nil, err
	}
	state, err := randomString()
	if err != nil {
		return nil, err
	}
	d.keep("code_verifier", verifier)
	d.keep("state", state)
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"client_id": {c.ID}, "response_type": {"code"}, "scope": {scope},
		"redirect_uri": {c.RedirectURI}, "state": {state},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	browser := noRedirect(jar)

	d.truth.Flows++
	loginAt, err := d.visit(browser, d.meta.AuthorizationEndpoint+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("authorization request: %w", err)
	}
	next, err := d.accept(loginAt, "login", map[string]any{"subject": Subject})
	if err != nil {
		return nil, err
	}
	d.truth.LoginsAccepted++
	consentAt, err := d.visit(browser, next)
	if err != nil {
		return nil, fmt.Errorf("authorization after login: %w", err)
	}
	var consent struct {
		RequestedScope    []string `json:"requested_scope"`
		RequestedAudience []string `json:"requested_access_token_audience"`
	}
	if err := d.admin(http.MethodGet, "consent", consentAt, nil, &consent); err != nil {
		return nil, err
	}
	next, err = d.accept(consentAt, "consent", map[string]any{
		"grant_scope": consent.RequestedScope, "grant_access_token_audience": consent.RequestedAudience,
	})
	if err != nil {
		return nil, err
	}
	d.truth.ConsentsAccepted++
	final, err := d.visit(browser, next)
	if err != nil {
		return nil, fmt.Errorf("authorization after consent: %w", err)
	}
	back := final.Query()
	if final.Scheme+"://"+final.Host+final.Path != c.RedirectURI {
		return nil, fmt.Errorf("authorization ended at %s://%s%s, not the redirect URI", final.Scheme, final.Host, final.Path)
	}
	if e := back.Get("error"); e != "" {
		return nil, fmt.Errorf("authorization refused: %s", e)
	}
	if back.Get("state") != state {
		return nil, fmt.Errorf("authorization: the state came back changed")
	}
	code := back.Get("code")
	if code == "" {
		return nil, fmt.Errorf("authorization: no code at the redirect URI")
	}
	d.keep("code", code)
	return &Grant{client: c, code: code, verifier: verifier}, nil
}

// visit requests u on the authorization endpoint and follows Hydra's own
// redirects until one leaves it (to the login or consent app, or to the
// client's redirect URI), and returns that location unrequested.
func (d *Driver) visit(browser *http.Client, u string) (*url.URL, error) {
	public, err := url.Parse(d.meta.AuthorizationEndpoint)
	if err != nil {
		return nil, err
	}
	for i := 0; i < maxRedirects; i++ {
		req, err := newRequest(http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "text/html")
		if strings.HasPrefix(req.URL.Path, public.Path) {
			d.truth.AuthorizeVisits++
		}
		// Hydra redirects with 302; fosite answers the authorization
		// response itself with 303 See Other.
		resp, err := call(browser, req, http.StatusFound, nil)
		var e *Error
		if errors.As(err, &e) && e.Status == http.StatusSeeOther {
			err = nil
		}
		if err != nil {
			return nil, err
		}
		loc, err := resp.Location()
		if err != nil {
			return nil, fmt.Errorf("GET %s: 302 without a Location", req.URL.Path)
		}
		if loc.Host != public.Host {
			return loc, nil
		}
		u = loc.String()
	}
	return nil, fmt.Errorf("more than %d redirects inside Hydra", maxRedirects)
}

// accept reads and accepts the login or consent request named by the
// challenge in at (the app's URL Hydra redirected to) and returns the
// redirect_to Hydra answers.
func (d *Driver) accept(at *url.URL, kind string, body map[string]any) (string, error) {
	if kind == "login" {
		var login struct {
			Skip bool `json:"skip"`
		}
		if err := d.admin(http.MethodGet, kind, at, nil, &login); err != nil {
			return "", err
		}
	}
	var out struct {
		RedirectTo string `json:"redirect_to"`
	}
	if err := d.admin(http.MethodPut, kind, at, body, &out); err != nil {
		return "", err
	}
	if out.RedirectTo == "" {
		return "", fmt.Errorf("%s accept: no redirect_to", kind)
	}
	return out.RedirectTo, nil
}

// admin calls /admin/oauth2/auth/requests/<kind> (GET) or
// /admin/oauth2/auth/requests/<kind>/accept (PUT) with the
// <kind>_challenge Hydra put on at.
func (d *Driver) admin(method, kind string, at *url.URL, body, out any) error {
	param := kind + "_challenge"
	challenge := at.Query().Get(param)
	if challenge == "" {
		return fmt.Errorf("%s: Hydra redirected to the %s app without %s", kind, kind, param)
	}
	path := "/admin/oauth2/auth/requests/" + kind
	if method == http.MethodPut {
		path += "/accept"
	}
	req, err := newRequest(method, d.srv.AdminURL+path+"?"+url.Values{param: {challenge}}.Encode(), body)
	if err != nil {
		return err
	}
	_, err = call(d.http, req, http.StatusOK, out)
	return err
}
