package keycloak

import "github.com/otelcol-oauth/otelcol-oauth/internal/contract"

// kind is what one Keycloak event type means in contract terms.
type kind struct {
	operation, grant string
	failure          bool
	// record is false for an event that is claimed (its request is not
	// another vocabulary's) but is no OAuth record: a logout, or a user's
	// failed login that refused no authorization request.
	record bool
}

// kinds maps the event types an OAuth operator cares about (EventType.java).
// LOGIN and LOGIN_ERROR are refined by mapLogin.
var kinds = map[string]kind{
	contract.KeycloakLogin:              {contract.OpAuthorize, "", false, true},
	contract.KeycloakLoginError:         {contract.OpAuthorize, "", true, true},
	contract.KeycloakCodeToToken:        {contract.OpToken, contract.GrantAuthorizationCode, false, true},
	contract.KeycloakCodeToTokenError:   {contract.OpToken, contract.GrantAuthorizationCode, true, true},
	contract.KeycloakRefreshToken:       {contract.OpRefresh, contract.GrantRefreshToken, false, true},
	contract.KeycloakRefreshTokenError:  {contract.OpRefresh, contract.GrantRefreshToken, true, true},
	contract.KeycloakClientLogin:        {contract.OpToken, contract.GrantClientCredentials, false, true},
	contract.KeycloakClientLoginError:   {contract.OpToken, contract.GrantClientCredentials, true, true},
	contract.KeycloakTokenExchange:      {contract.OpToken, contract.GrantTokenExchange, false, true},
	contract.KeycloakTokenExchangeError: {contract.OpToken, contract.GrantTokenExchange, true, true},
	contract.KeycloakDeviceCodeToToken:  {contract.OpToken, contract.GrantDeviceCode, false, true},
	contract.KeycloakDeviceCodeTokenErr: {contract.OpToken, contract.GrantDeviceCode, true, true},
	contract.KeycloakIntrospect:         {contract.OpIntrospect, "", false, true},
	contract.KeycloakIntrospectError:    {contract.OpIntrospect, "", true, true},
	contract.KeycloakRevokeGrant:        {contract.OpRevoke, "", false, true},
	contract.KeycloakRevokeGrantError:   {contract.OpRevoke, "", true, true},
	contract.KeycloakClientRegister:     {contract.OpRegister, "", false, true},
	contract.KeycloakClientRegisterErr:  {contract.OpRegister, "", true, true},
	// A logout ends a user session; it is not an RFC 7009 revocation nor a
	// family revocation (contract section 1), so it makes no record.
	contract.KeycloakLogout:      {},
	contract.KeycloakLogoutError: {},
}

// pkceErrors are the Errors.java values of a failed PKCE check at the token
// endpoint (PkceUtils): a pkce.validate failure invalid_hash.
var pkceErrors = map[string]bool{
	contract.KeycloakErrCodeVerifierMissing: true,
	contract.KeycloakErrInvalidCodeVerifier: true,
	contract.KeycloakErrPKCEFailed:          true,
}

// refusals are LOGIN_ERROR errors that refuse the authorization request
// itself (AuthorizationEndpoint's client and redirect checks); invalidClient
// marks those that contract section 2 reasons as invalid_client. Any other
// LOGIN_ERROR (a wrong password, an unknown or disabled user, ...) is the
// user failing to authenticate on a flow that may still succeed: no record.
var refusals = map[string]bool{
	contract.KeycloakErrClientNotFound:     true,
	contract.KeycloakErrClientDisabled:     true,
	contract.KeycloakErrInvalidClient:      true,
	contract.KeycloakErrInvalidRedirectURI: false,
	contract.KeycloakErrInvalidRequest:     false,
}
