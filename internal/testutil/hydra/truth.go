package hydra

// Truth is what the driver caused, counted as it happened: each field one
// kind of request and the outcome Hydra answered with (a step whose answer
// differs from the expected one fails and is not counted).
type Truth struct {
	// Discovery: GET /.well-known/openid-configuration answered 200.
	Discovery int
	// Registrations: POST /oauth2/register (dynamic client registration)
	// answered 201.
	Registrations int
	// Flows: authorization code flows started, one authorization request
	// each although the user agent visits /oauth2/auth three times per flow
	// (AuthorizeVisits): the request, after login, after consent.
	Flows, AuthorizeVisits int
	// LoginsAccepted, ConsentsAccepted: PUT .../login/accept and
	// .../consent/accept on the admin API answered 200.
	LoginsAccepted, ConsentsAccepted int
	// CodeExchanges: authorization_code grants answered 200 (PKCE verified).
	CodeExchanges int
	// CodeReplays: an already-redeemed code presented again: 400
	// invalid_grant.
	CodeReplays int
	// PKCEMismatches: a code presented with the wrong code_verifier: 400
	// invalid_grant.
	PKCEMismatches int
	// Refreshes: refresh_token grants answered 200 (each rotates the
	// presented refresh token away).
	Refreshes int
	// RefreshReuses: an already-rotated refresh token presented again: 400
	// invalid_grant (Hydra then revokes the whole token family).
	RefreshReuses int
	// ClientCredentials: client_credentials grants answered 200.
	ClientCredentials int
	// Revocations: POST /oauth2/revoke answered 200.
	Revocations int
	// Introspections: POST /admin/oauth2/introspect answered 200 with
	// active true.
	Introspections int
}

// TokenRequests is every request to the token endpoint.
func (t Truth) TokenRequests() int {
	return t.CodeExchanges + t.CodeReplays + t.PKCEMismatches + t.Refreshes + t.RefreshReuses + t.ClientCredentials
}
