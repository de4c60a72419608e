package hydra

import "fmt"

// Scopes the driver's clients ask for.
const (
	// AppScope is the user-facing client's: offline_access gives a refresh
	// token (Hydra's default refresh-token scopes: offline, offline_access).
	AppScope = "openid offline_access"
	// ServiceScope is the client-credentials client's.
	ServiceScope = "inventory.read"
)

// Client names, registered in this order by RunAll.
const (
	AppClient     = "e2e-app"
	ServiceClient = "e2e-service"
)

// RunAll runs every flow once, in an order whose outcomes do not depend on
// one another's side effects, and returns what it caused:
//
//   - discovery; two dynamic registrations (the app: authorization_code and
//     refresh_token; the service: client_credentials);
//   - flow A: code + PKCE, exchange, two refreshes, introspection of the
//     newest access token, then the first refresh token presented again
//     (reuse: Hydra revokes the family);
//   - flow B: code + PKCE, exchange, revocation of its refresh token, then
//     the code presented again (replay);
//   - flow C: code + PKCE, exchanged with a wrong verifier;
//   - one client-credentials grant.
//
// Truth afterwards: Discovery 1, Registrations 2, Flows 3 (AuthorizeVisits
// 9, LoginsAccepted 3, ConsentsAccepted 3), CodeExchanges 2, CodeReplays 1,
// PKCEMismatches 1, Refreshes 2, RefreshReuses 1, ClientCredentials 1,
// Revocations 1, Introspections 1.
func (d *Driver) RunAll() (Truth, error) {
	if err := d.Discover(); err != nil {
		return d.truth, err
	}
	app, err := d.Register(AppClient, []string{"authorization_code", "refresh_token"}, AppScope)
	if err != nil {
		return d.truth, err
	}
	svc, err := d.Register(ServiceClient, []string{"client_credentials"}, ServiceScope)
	if err != nil {
		return d.truth, err
	}
	steps := []struct {
		name string
		run  func() error
	}{
		{"flow A (refreshes, reuse)", func() error { return d.flowRefreshReuse(app) }},
		{"flow B (revocation, code replay)", func() error { return d.flowRevokeReplay(app) }},
		{"flow C (wrong PKCE verifier)", func() error {
			g, err := d.Authorize(app, AppScope)
			if err != nil {
				return err
			}
			return d.ExchangeWrongVerifier(g)
		}},
		{"client credentials", func() error { _, err := d.ClientCredentials(svc, ServiceScope); return err }},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			return d.truth, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return d.truth, nil
}

func (d *Driver) flowRefreshReuse(app *Client) error {
	g, err := d.Authorize(app, AppScope)
	if err != nil {
		return err
	}
	first, err := d.Exchange(g)
	if err != nil {
		return err
	}
	second, err := d.Refresh(app, first)
	if err != nil {
		return err
	}
	third, err := d.Refresh(app, second)
	if err != nil {
		return err
	}
	if err := d.Introspect(third); err != nil {
		return err
	}
	return d.ReuseRefresh(app, first)
}

func (d *Driver) flowRevokeReplay(app *Client) error {
	g, err := d.Authorize(app, AppScope)
	if err != nil {
		return err
	}
	t, err := d.Exchange(g)
	if err != nil {
		return err
	}
	if err := d.RevokeRefresh(app, t); err != nil {
		return err
	}
	return d.ReplayCode(g)
}
